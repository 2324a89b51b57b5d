{#
    The preference rows that staging found usable but whose customer is not a known one, rejected
    with that reason and their raw text, in the columns of stg_customer_preferences__rejected.
    Every copy of a version is rejected, the ones staging had removed as duplicates too
    (is_duplicate), since a copy repeats its customer.
#}

with

preferences as (

    select * from {{ ref('base_customer_preferences') }}

),

customers as (

    select * from {{ ref('stg_customers') }}

),

final as (

    select
        cast('customer_id is not a known customer' as {{ dbt.type_string() }}) as reject_reason,
        preferences.raw_customer_id as customer_id,
        preferences.raw_communication_channel as communication_channel,
        preferences.raw_marketing_consent as marketing_consent,
        preferences.raw_notification_enabled as notification_enabled,
        preferences.raw_newsletter_subscription as newsletter_subscription,
        preferences.raw_preferred_language as preferred_language,
        preferences.raw_time_zone as time_zone,
        preferences.raw_updated_at as updated_at,
        preferences.line_number,
        preferences.line_text,
        preferences.is_duplicate

    from preferences
    left join customers
        on preferences.customer_id = customers.customer_id
    where preferences.reject_reason is null
        and customers.customer_id is null

)

select * from final
