{#
    Derived from customer_segment_snapshots whole, on every run that builds the store, so it never
    disagrees with it: re-running a month or re-segmenting one changes both at once. A table rather than
    a view: each of its tests would otherwise derive it again (docs/decisions.md).
#}

with

snapshots as (

    select * from {{ ref('customer_segment_snapshots') }}

),

recorded_dates as (

    select * from {{ ref('customer_segment_snapshot_dates') }}

),

islands as (

    select
        snapshots.*,
        recorded_dates.as_of_index,
        -- constant along a run of consecutive recorded dates in one segment; a gap or another
        -- segment in between starts a new run
        recorded_dates.as_of_index - row_number() over (
            partition by snapshots.customer_id, snapshots.customer_segment
            order by snapshots.as_of_date
        ) as island

    from snapshots
    inner join recorded_dates
        on snapshots.as_of_date = recorded_dates.as_of_date

),

versions as (

    select
        customer_id,
        customer_segment,
        island,
        min(as_of_date) as valid_from,
        max(as_of_date) as last_recorded_as_of_date,
        max(as_of_index) as last_as_of_index,
        count(*) as recorded_as_of_dates

    from islands
    group by customer_id, customer_segment, island

),

final as (

    select
        -- keys
        versions.customer_id,
        versions.valid_from,

        -- segment and validity
        versions.customer_segment,
        islands.segment_priority,
        next_date.as_of_date as valid_to,
        next_date.as_of_date is null as is_current,
        versions.last_recorded_as_of_date,
        versions.recorded_as_of_dates,

        -- the figures as of valid_from, the date that decided the segment
        islands.spend_last_90_days,
        islands.spend_prior_90_days,
        islands.spend_change_pct,
        islands.avg_monthly_spend,
        islands.travel_spend_pct,
        islands.necessities_spend_pct,
        islands.tenure_months,
        islands.lifetime_value,
        islands.rfm_score

    from versions
    inner join islands
        on versions.customer_id = islands.customer_id
        and versions.valid_from = islands.as_of_date
    left join recorded_dates as next_date
        on versions.last_as_of_index + 1 = next_date.as_of_index

)

select * from final
