{#
    Every version of each customer's preference for a channel, as the file's history gives it: in
    force from updated_at (null: from the start) until superseded_at (null: still in force). What
    was true at a past moment is read from here (macros/consent_rules.sql, preference_in_force).
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
        updated_at,
        superseded_at

    from base
    where reject_reason is null
        and not is_duplicate

)

select * from final
