with

base as (

    select * from {{ ref('base_campaign_deliveries') }}

),

final as (

    select
        -- ids
        campaign_id,
        customer_id,

        -- strings
        test_group,

        -- timestamps
        sent_at,

        -- flags
        delivered,
        bounced,

        -- timestamps of what the customer did
        opened_at,
        clicked_at,
        unsubscribed_at

    from base
    where reject_reason is null
        and not is_duplicate

)

select * from final
