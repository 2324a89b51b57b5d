{#
    dbt's `unique` test on DuckDB, found by sorting instead of grouping: grouping every
    transaction id builds a hash table of them all, where sorting them and comparing each with
    the one before is quicker. It returns what dbt's own test returns: each repeated value once,
    with how many rows hold it. Other engines keep dbt's version.
#}
{% macro duckdb__test_unique(model, column_name) -%}

with

ordered as (

    select
        {{ column_name }} as unique_field,
        lag({{ column_name }}) over (order by {{ column_name }}) as previous_value
    from {{ model }}
    where {{ column_name }} is not null

)

select
    unique_field,
    count(*) + 1 as n_records
from ordered
where unique_field = previous_value
group by unique_field

{%- endmacro %}
