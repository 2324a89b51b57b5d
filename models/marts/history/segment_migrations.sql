{#
    Every pair of consecutive recorded dates has the full matrix (5 x 5 + 5 + 5 = 35 rows), zero
    counts included, so a heat map needs no gap-filling.
#}

{{ config(materialized='view') }}

with

snapshots as (

    select * from {{ ref('customer_segment_snapshots') }}

),

recorded_dates as (

    select * from {{ ref('customer_segment_snapshot_dates') }}

),

date_pairs as (

    select
        from_date.as_of_index as from_index,
        from_date.as_of_date as from_as_of_date,
        to_date.as_of_date as to_as_of_date

    from recorded_dates as from_date
    inner join recorded_dates as to_date
        on from_date.as_of_index + 1 = to_date.as_of_index

),

states as (

    select
        snapshots.customer_id,
        snapshots.customer_segment,
        recorded_dates.as_of_index

    from snapshots
    inner join recorded_dates
        on snapshots.as_of_date = recorded_dates.as_of_date

),

transitions as (

    select
        coalesce(earlier.as_of_index, later.as_of_index - 1) as from_index,
        earlier.customer_segment as from_segment,
        later.customer_segment as to_segment

    from states as earlier
    full outer join states as later
        on earlier.customer_id = later.customer_id
        and earlier.as_of_index + 1 = later.as_of_index

),

counted as (

    select
        from_index,
        from_segment,
        to_segment,
        count(*) as customer_count

    from transitions
    group by from_index, from_segment, to_segment

),

segments as (

    {%- for name in segment_names() %}
    select '{{ name }}' as customer_segment
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

-- a null end stands for "not a customer at that date"
segment_or_none as (

    select customer_segment from segments
    union all
    select cast(null as {{ dbt.type_string() }}) as customer_segment

),

matrix as (

    select
        date_pairs.from_index,
        date_pairs.from_as_of_date,
        date_pairs.to_as_of_date,
        from_side.customer_segment as from_segment,
        to_side.customer_segment as to_segment

    from date_pairs
    cross join segment_or_none as from_side
    cross join segment_or_none as to_side
    where from_side.customer_segment is not null or to_side.customer_segment is not null

),

final as (

    select
        matrix.from_as_of_date,
        matrix.to_as_of_date,
        matrix.from_segment,
        matrix.to_segment,
        case
            when matrix.from_segment is null then 'entered'
            when matrix.to_segment is null then 'left'
            when matrix.from_segment = matrix.to_segment then 'stayed'
            else 'moved'
        end as migration_type,
        coalesce(counted.customer_count, 0) as customer_count

    from matrix
    left join counted
        on matrix.from_index = counted.from_index
        and matrix.from_segment is not distinct from counted.from_segment
        and matrix.to_segment is not distinct from counted.to_segment

)

select * from final
