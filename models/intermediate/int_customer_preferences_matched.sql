{#
    Every version of a known customer's preference for a channel (docs/rules/raw-input.md,
    docs/marketing.md#point-in-time-eligibility): staging's history whose customer_id is a clean
    customer. The version in force now is the one with superseded_at null.
#}

with

preferences as (

    select * from {{ ref('stg_customer_preferences__history') }}

),

customers as (

    select * from {{ ref('stg_customers') }}

),

final as (

    select
        preferences.customer_id,
        preferences.channel,
        preferences.preferred_language,
        preferences.time_zone,
        preferences.marketing_consent,
        preferences.notification_enabled,
        preferences.newsletter_subscription,
        preferences.updated_at,
        preferences.superseded_at

    from preferences
    inner join customers
        on preferences.customer_id = customers.customer_id

)

select * from final
