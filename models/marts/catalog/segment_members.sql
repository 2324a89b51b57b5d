{{ config(materialized='view') }}

with

memberships as (

    select * from {{ ref('customer_segment_memberships') }}

),

final as (

    select
        segment_id,
        customer_id,
        segment_name,
        segment_type,
        joined_at,
        source -- noqa: RF04

    from memberships
    where left_at is null

)

select * from final
