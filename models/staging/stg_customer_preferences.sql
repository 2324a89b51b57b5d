{#
    The preference in force now for each customer and channel: the latest version of the file's
    history (stg_customer_preferences__history holds every version).
#}

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
        and not is_superseded

)

select * from final
