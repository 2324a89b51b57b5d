{#
    What each delivery held and what became of it, per entity (docs/data-quality.md): the measures of
    int_raw_rows_counted as of the run's date A.
#}

{%- set a = as_of_windows() %}

with

counted as (

    select * from {{ ref('int_raw_rows_counted') }}

),

final as (

    select
        entity,
        measure,
        detail,
        cast(row_count as bigint) as row_count,
        {{ date_literal(a.as_of) }} as as_of_date

    from counted

)

select * from final
