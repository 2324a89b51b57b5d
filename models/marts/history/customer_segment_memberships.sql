{#
    A projection of customer_segment_history, not a second copy of it. Every membership comes
    from the behavioural rules, so its source is 'automatic'.
#}

{{ config(materialized='view') }}

with

history as (

    select * from {{ ref('customer_segment_history') }}

),

final as (

    select
        customer_id,
        segment_priority as segment_id,
        customer_segment as segment_name,
        valid_from as joined_at,
        valid_to as left_at,
        is_current as is_active,
        -- `source` is a keyword, and a column of the mart's contract
        'automatic' as source -- noqa: RF04

    from history

)

select * from final
