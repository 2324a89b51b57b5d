{#
    Each rule reads its window from one row instead of repeating the date arithmetic; the bounds
    are rendered as literals (macros/as_of.sql), so every engine sees the same constants.
#}

with

as_of_dates as (

    {%- for as_of in as_of_dates() %}
    {%- set w = as_of_windows(as_of) %}

    select
        {{ date_literal(w.as_of) }} as as_of_date,
        {{ date_literal(w.current_start) }} as current_start,
        {{ date_literal(w.prior_start) }} as prior_start,
        {{ date_literal(w.prior_end) }} as prior_end,
        {{ date_literal(w.year_start) }} as year_start,
        {#- the days before the windows' first days: where int_customers_windowed's buckets end #}
        {{ date_literal(w.before_prior_start) }} as before_prior_start,
        {{ date_literal(w.before_year_start) }} as before_year_start
    {% if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

final as (

    select * from as_of_dates

)

select * from final
