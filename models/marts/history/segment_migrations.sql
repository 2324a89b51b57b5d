{#
    For every exclusive segment type, every pair of consecutive recorded dates has the full
    matrix (n x n + n + n rows for a type of n segments: 35 for the five behavioural segments),
    zero counts included, so a heat map needs no gap-filling. The behavioural rows come from the
    five-segment store (customer_segment_snapshots) as they always have; the other types from
    the membership store (segment_membership_snapshots), numbered by its own recorded dates.
    Derived from both stores whole on every run, as customer_segment_history is, and a table for the
    same reason.
#}

{%- set exclusive_types = builtin_segment_types() | selectattr('exclusive') | list %}

with

snapshots as (

    select * from {{ ref('customer_segment_snapshots') }}

),

recorded_dates as (

    select * from {{ ref('customer_segment_snapshot_dates') }}

),

memberships as (

    select * from {{ ref('segment_membership_snapshots') }}

),

definitions as (

    select * from {{ ref('segments') }}

),

-- the exclusive types other than the behavioural one, read from the membership store
other_exclusive_types as (
    {%- for t in exclusive_types if t.type != 'behavioral' %}
    select '{{ t.type }}' as segment_type
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

membership_dates as (

    select
        as_of_date,
        row_number() over (order by as_of_date) as as_of_index

    from (select distinct as_of_date from memberships) as distinct_dates

),

dates as (

    select
        'behavioral' as segment_type,
        as_of_date,
        as_of_index

    from recorded_dates

    union all

    select
        other_exclusive_types.segment_type,
        membership_dates.as_of_date,
        membership_dates.as_of_index

    from membership_dates
    cross join other_exclusive_types

),

date_pairs as (

    select
        from_date.segment_type,
        from_date.as_of_index as from_index,
        from_date.as_of_date as from_as_of_date,
        to_date.as_of_date as to_as_of_date

    from dates as from_date
    inner join dates as to_date
        on from_date.segment_type = to_date.segment_type
        and from_date.as_of_index + 1 = to_date.as_of_index

),

states as (

    select
        'behavioral' as segment_type,
        snapshots.customer_id,
        snapshots.customer_segment,
        recorded_dates.as_of_index

    from snapshots
    inner join recorded_dates
        on snapshots.as_of_date = recorded_dates.as_of_date

    union all

    select
        memberships.segment_type,
        memberships.customer_id,
        definitions.segment_name as customer_segment,
        membership_dates.as_of_index

    from memberships
    inner join membership_dates
        on memberships.as_of_date = membership_dates.as_of_date
    inner join other_exclusive_types
        on memberships.segment_type = other_exclusive_types.segment_type
    inner join definitions
        on memberships.segment_id = definitions.segment_id

),

transitions as (

    select
        coalesce(earlier.segment_type, later.segment_type) as segment_type,
        coalesce(earlier.as_of_index, later.as_of_index - 1) as from_index,
        earlier.customer_segment as from_segment,
        later.customer_segment as to_segment

    from states as earlier
    full outer join states as later
        on earlier.segment_type = later.segment_type
        and earlier.customer_id = later.customer_id
        and earlier.as_of_index + 1 = later.as_of_index

),

counted as (

    select
        segment_type,
        from_index,
        from_segment,
        to_segment,
        count(*) as customer_count

    from transitions
    group by segment_type, from_index, from_segment, to_segment

),

segments as (

    {%- for t in exclusive_types %}
    {%- set type_loop = loop %}
    {%- for segment in t.segments %}
    select '{{ t.type }}' as segment_type, {{ text_literal(segment.name) }} as customer_segment
    {%- if not (loop.last and type_loop.last) %}
    union all
    {%- endif %}
    {%- endfor %}
    {%- endfor %}

),

-- a null end stands for "not a customer at that date"
segment_or_none as (

    select
        segment_type,
        customer_segment

    from segments

    union all

    select distinct
        segment_type,
        cast(null as {{ dbt.type_string() }}) as customer_segment

    from segments

),

matrix as (

    select
        date_pairs.segment_type,
        date_pairs.from_index,
        date_pairs.from_as_of_date,
        date_pairs.to_as_of_date,
        from_side.customer_segment as from_segment,
        to_side.customer_segment as to_segment

    from date_pairs
    inner join segment_or_none as from_side
        on date_pairs.segment_type = from_side.segment_type
    inner join segment_or_none as to_side
        on date_pairs.segment_type = to_side.segment_type
    where from_side.customer_segment is not null or to_side.customer_segment is not null

),

final as (

    select
        cast(matrix.segment_type as {{ dbt.type_string() }}) as segment_type,
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
        on matrix.segment_type = counted.segment_type
        and matrix.from_index = counted.from_index
        and matrix.from_segment is not distinct from counted.from_segment
        and matrix.to_segment is not distinct from counted.to_segment

)

select * from final
