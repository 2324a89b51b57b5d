{#
    Calendar arithmetic that DuckDB, Postgres and Spark write differently, in one place. Months are
    handled as whole-number indexes (year × 12 + month − 1), which every engine adds and compares alike.
#}

{#- Days from `start_date` to `end_date` (both dates), a whole number. -#}
{% macro days_between(start_date, end_date) -%}
    {{ return(adapter.dispatch('days_between')(start_date, end_date)) }}
{%- endmacro %}

{% macro default__days_between(start_date, end_date) -%}
    {#- DuckDB and Postgres subtract dates into whole days. -#}
    cast(({{ end_date }}) - ({{ start_date }}) as integer)
{%- endmacro %}

{% macro spark__days_between(start_date, end_date) -%}
    {#- Spark subtracts dates into an interval. -#}
    datediff({{ end_date }}, {{ start_date }})
{%- endmacro %}


{#- The month of a date as a whole number: year × 12 + month − 1. -#}
{% macro month_index(date_expression) -%}
    (cast(extract(year from {{ date_expression }}) as integer) * 12 + cast(extract(month from {{ date_expression }}) as integer) - 1)
{%- endmacro %}


{#- The first day of a month index (month_index). -#}
{% macro month_from_index(index_expression) -%}
    make_date(
        cast(floor(({{ index_expression }}) / 12) as integer),
        cast(({{ index_expression }}) - floor(({{ index_expression }}) / 12) * 12 + 1 as integer),
        1
    )
{%- endmacro %}


{#- Whether a date is the last of its month (its month then ended on that date). -#}
{% macro is_month_end(date_expression) -%}
    (extract(month from {{ date_expression }} + interval '1' day) <> extract(month from {{ date_expression }}))
{%- endmacro %}


{#- The last day of a month index: the day before the next month's first. -#}
{% macro month_end_from_index(index_expression) -%}
    cast({{ month_from_index('(' ~ index_expression ~ ') + 1') }} - interval '1' day as date)
{%- endmacro %}


{#- A monthly acquisition cohort's id, '2024-10', from the month's first day. -#}
{% macro cohort_month_id(month_start) -%}
    concat(
        cast(cast(extract(year from {{ month_start }}) as integer) as {{ dbt.type_string() }}),
        '-',
        lpad(cast(cast(extract(month from {{ month_start }}) as integer) as {{ dbt.type_string() }}), 2, '0')
    )
{%- endmacro %}


{#- A quarterly acquisition cohort's id, '2024-Q4', from the quarter's first day. -#}
{% macro cohort_quarter_id(quarter_start) -%}
    concat(
        cast(cast(extract(year from {{ quarter_start }}) as integer) as {{ dbt.type_string() }}),
        '-Q',
        cast(cast(extract(quarter from {{ quarter_start }}) as integer) as {{ dbt.type_string() }})
    )
{%- endmacro %}
