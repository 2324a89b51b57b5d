{#
    The period each date falls in, for models that then join many rows to it on the date: the range join
    runs on the few thousand distinct dates, not on every row, which would need the rows sorted. Periods are
    given by their last day (`period_end`) and the previous period's (`previous_end`, null for the first);
    each date falls in the one period with previous_end < date <= period_end, or in none when it is after
    the last. Emits a select of `dates`.`date_column` and `periods`.`period_end`.
#}
{% macro dates_in_periods(dates, date_column, periods, period_end, previous_end) -%}

    select
        {{ dates }}.{{ date_column }},
        {{ periods }}.{{ period_end }}

    from {{ dates }}
    inner join {{ periods }}
        on
        {{ dates }}.{{ date_column }} <= {{ periods }}.{{ period_end }}
        and (
            {{ periods }}.{{ previous_end }} is null
            or {{ dates }}.{{ date_column }} > {{ periods }}.{{ previous_end }}
        )

{%- endmacro %}
