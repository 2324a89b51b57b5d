with

base as (

    select * from {{ ref('base_customer_preferences') }}

),

final as (

    select
        -- ids
        customer_id,

        -- strings
        channel,
        preferred_language,
        time_zone,

        -- flags
        marketing_consent,
        notification_enabled,
        newsletter_subscription,

        -- timestamps
        updated_at

    from base
    where reject_reason is null
        and not is_duplicate

)

select * from final
