{#
    Continuous stays over the recorded as-of dates of the membership store, for every segment
    type: a stay starts at the first recorded date a customer is a member and ends at the first
    recorded date they are not (a date skipped in between would end it too: dates are numbered
    in the order recorded, with no gaps). Derived from the whole store on every run that builds it, as
    customer_segment_history is, and a table for the same reason.
#}

with

memberships as (

    select * from {{ ref('segment_membership_snapshots') }}

),

definitions as (

    select * from {{ ref('segments') }}

),

recorded_dates as (

    select
        as_of_date,
        row_number() over (order by as_of_date) as as_of_index

    from (select distinct as_of_date from memberships) as distinct_dates

),

islands as (

    select
        memberships.customer_id,
        memberships.segment_id,
        memberships.segment_type,
        memberships.source,
        memberships.as_of_date,
        recorded_dates.as_of_index,
        -- constant along a run of consecutive recorded dates in one segment
        recorded_dates.as_of_index - row_number() over (
            partition by memberships.customer_id, memberships.segment_id
            order by memberships.as_of_date
        ) as island

    from memberships
    inner join recorded_dates
        on memberships.as_of_date = recorded_dates.as_of_date

),

stays as (

    select
        customer_id,
        segment_id,
        segment_type,
        island,
        min(as_of_date) as joined_at,
        max(as_of_index) as last_as_of_index,
        -- a segment's source is the same on every date; the latest wins if it ever changed
        max(source) as source -- noqa: RF04

    from islands
    group by customer_id, segment_id, segment_type, island

),

final as (

    select
        stays.customer_id,
        stays.segment_id,
        definitions.segment_name,
        stays.segment_type,
        stays.joined_at,
        next_date.as_of_date as left_at,
        next_date.as_of_date is null as is_active,
        stays.source -- noqa: RF04

    from stays
    left join recorded_dates as next_date
        on stays.last_as_of_index + 1 = next_date.as_of_index
    left join definitions
        on stays.segment_id = definitions.segment_id

)

select * from final
