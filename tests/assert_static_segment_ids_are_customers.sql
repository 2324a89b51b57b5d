{#
    docs/rules/user-segments.md: ids of a static segment that are not customers of the run are counted and
    reported, never members. A warning, one row per segment with its count and a few of the ids.
#}

{{ config(severity='warn', enabled=target.type == 'duckdb') }}

with

compiled as (

    select * from {{ ref('int_user_segments_compiled') }}

),

customers as (

    select * from {{ ref('stg_customers') }}

),

listed as (

    select
        compiled.segment_id,
        unnest(compiled.listed_customer_ids) as customer_id

    from compiled

),

unknown as (

    select listed.*
    from listed
    left join customers
        on listed.customer_id = customers.customer_id
    where customers.customer_id is null

),

final as (

    select
        segment_id,
        count(*) as unknown_ids,
        list(customer_id order by customer_id)[1:5] as first_unknown_ids

    from unknown
    group by segment_id

)

select * from final
