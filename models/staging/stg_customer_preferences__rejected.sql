with

base as (

    select * from {{ ref('base_customer_preferences') }}

),

final as (

    select
        reject_reason,
        raw_customer_id as customer_id,
        raw_communication_channel as communication_channel,
        raw_marketing_consent as marketing_consent,
        raw_notification_enabled as notification_enabled,
        raw_newsletter_subscription as newsletter_subscription,
        raw_preferred_language as preferred_language,
        raw_time_zone as time_zone,
        raw_updated_at as updated_at,
        line_number,
        line_text

    from base
    where reject_reason is not null

)

select * from final
