{#
    The optional customer_preferences file (spec section 7), typed once; stg_customer_preferences
    and stg_customer_preferences__rejected are filters of this table, so each row lands in exactly
    one of clean, rejected or duplicate. A repeated (customer, channel) keeps the row with the
    latest updated_at (a missing one counts as the oldest), then the row that grants less
    (no consent before unknown before consent, and so for the two other flags), then the raw text, so the pick
    never depends on file order. Without a file, raw.customer_preferences has no rows and neither
    has this.
#}

with

source as (

    select * from {{ source('raw', 'customer_preferences') }}

),

known_customers as (

    select customer_id as known_customer_id from {{ ref('stg_customers') }}

),

field_texts as (

    select
        -- the row as it arrived
        customer_id as raw_customer_id,
        communication_channel as raw_communication_channel,
        marketing_consent as raw_marketing_consent,
        notification_enabled as raw_notification_enabled,
        newsletter_subscription as raw_newsletter_subscription,
        preferred_language as raw_preferred_language,
        time_zone as raw_time_zone,
        updated_at as raw_updated_at,
        line_number,
        line_text,
        line_reject_reason,

        {{ field_text('customer_id') }} as customer_id_text,
        {{ field_text('communication_channel') }} as communication_channel_text,
        {{ field_text('marketing_consent') }} as marketing_consent_text,
        {{ field_text('notification_enabled') }} as notification_enabled_text,
        {{ field_text('newsletter_subscription') }} as newsletter_subscription_text,
        {{ field_text('preferred_language') }} as preferred_language,
        {{ field_text('time_zone') }} as time_zone,
        {{ field_text('updated_at') }} as updated_at_text

    from source

),

typed as (

    select
        *,
        {{ parse_integer('customer_id_text') }} as customer_id,
        {{ parse_channel('communication_channel_text') }} as channel,
        {{ parse_boolean('marketing_consent_text') }} as marketing_consent,
        {{ parse_boolean('notification_enabled_text') }} as notification_enabled,
        {{ parse_boolean('newsletter_subscription_text') }} as newsletter_subscription,
        {{ parse_iso_timestamp('updated_at_text') }} as updated_at

    from field_texts

),

-- whether the customer is known, judged apart so the checks below read one row
matched as (

    select
        typed.*,
        known_customers.known_customer_id is not null as is_known_customer

    from typed
    left join known_customers
        on typed.customer_id = known_customers.known_customer_id

),

validated as (

    select
        *,
        case
            {{ reject_if_not_a_row(['customer_id', 'communication_channel', 'marketing_consent']) }}
            {{ reject_if_missing_or_unparsed('customer_id', 'an integer') }}
            when communication_channel_text is null then 'communication_channel is missing'
            when channel is null then 'communication_channel is not Email/SMS/Phone/Push'
            when updated_at_text is not null and updated_at is null then 'updated_at is not an ISO timestamp'
            when not is_known_customer then 'customer_id is not a known customer'
        end as reject_reason

    from matched

),

ranked as (

    select
        *,
        -- latest updated_at first, then the row that grants less: no consent before an unknown one
        -- before consent, notifications off before unknown before on
        row_number() over (
            partition by reject_reason is null, customer_id, channel
            order by
                coalesce(updated_at, cast('1900-01-01 00:00:00' as timestamp)) desc,
                case
                    when marketing_consent = false then 0
                    when marketing_consent is null then 1
                    else 2
                end asc,
                case
                    when notification_enabled = false then 0
                    when notification_enabled is null then 1
                    else 2
                end asc,
                case
                    when newsletter_subscription = false then 0
                    when newsletter_subscription is null then 1
                    else 2
                end asc,
                raw_communication_channel asc,
                raw_marketing_consent asc,
                raw_notification_enabled asc,
                raw_newsletter_subscription asc,
                raw_preferred_language asc,
                raw_time_zone asc
        ) as copy_number

    from validated

),

final as (

    select
        raw_customer_id,
        raw_communication_channel,
        raw_marketing_consent,
        raw_notification_enabled,
        raw_newsletter_subscription,
        raw_preferred_language,
        raw_time_zone,
        raw_updated_at,
        customer_id,
        channel,
        marketing_consent,
        notification_enabled,
        newsletter_subscription,
        preferred_language,
        time_zone,
        updated_at,
        line_number,
        line_text,
        reject_reason,
        reject_reason is null and copy_number > 1 as is_duplicate

    from ranked

)

select * from final
