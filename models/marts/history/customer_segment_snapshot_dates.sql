{#
    The as-of dates the segment history has recorded, numbered in order, so that "the next
    recorded date" is `as_of_index + 1` for the history and the migration matrix alike.
#}

{{ config(materialized='view') }}

with

snapshots as (

    select * from {{ ref('customer_segment_snapshots') }}

),

recorded_dates as (

    select
        as_of_date,
        count(*) as customers

    from snapshots
    group by as_of_date

),

final as (

    select
        as_of_date,
        cast(row_number() over (order by as_of_date) as bigint) as as_of_index,
        customers

    from recorded_dates

)

select * from final
