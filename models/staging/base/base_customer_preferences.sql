{#
    The optional customer_preferences file (docs/rules/raw-input.md), typed once. The file is a history: a
    customer and channel may have several rows over time, each a version of the preference from its
    updated_at (a missing updated_at counts as the oldest) until the next version's updated_at
    (superseded_at; null for the version in force now). A repeated version (same customer, channel
    and updated_at) keeps the row that grants less (no consent before unknown before consent, and
    so for the two other flags), then the raw text, so the pick never depends on file order; the
    other copies are duplicates. stg_customer_preferences__history (every version),
    stg_customer_preferences (the latest version of each channel) and the rejects are filters of
    this table, so each row lands in exactly one of clean, rejected or duplicate. Without a file,
    raw.customer_preferences has no rows and neither has this.
#}

with

source as (

    select * from {{ source('raw', 'customer_preferences') }}

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

validated as (

    select
        *,
        case
            {{ reject_if_not_a_row(['customer_id', 'communication_channel', 'marketing_consent']) }}
            {{ reject_if_missing_or_unparsed('customer_id', 'an integer') }}
            when communication_channel_text is null then 'communication_channel is missing'
            when channel is null then 'communication_channel is not Email/SMS/Phone/Push'
            when updated_at_text is not null and updated_at is null then 'updated_at is not an ISO timestamp'
        end as reject_reason

    from typed

),

ranked as (

    select
        *,
        -- copies of one version: the row that grants less first: no consent before an unknown one
        -- before consent, notifications off before unknown before on
        row_number() over (
            partition by
                reject_reason is null,
                customer_id,
                channel,
                coalesce(updated_at, cast('1900-01-01 00:00:00' as timestamp))
            order by
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

-- each kept version with the moment the next version of the channel replaced it
versions as (

    select
        customer_id,
        channel,
        coalesce(updated_at, cast('1900-01-01 00:00:00' as timestamp)) as version_at,
        lead(updated_at) over (
            partition by customer_id, channel
            order by coalesce(updated_at, cast('1900-01-01 00:00:00' as timestamp))
        ) as superseded_at

    from ranked
    where reject_reason is null
        and copy_number = 1

),

final as (

    select
        ranked.raw_customer_id,
        ranked.raw_communication_channel,
        ranked.raw_marketing_consent,
        ranked.raw_notification_enabled,
        ranked.raw_newsletter_subscription,
        ranked.raw_preferred_language,
        ranked.raw_time_zone,
        ranked.raw_updated_at,
        ranked.customer_id,
        ranked.channel,
        ranked.marketing_consent,
        ranked.notification_enabled,
        ranked.newsletter_subscription,
        ranked.preferred_language,
        ranked.time_zone,
        ranked.updated_at,
        versions.superseded_at,
        ranked.line_number,
        ranked.line_text,
        ranked.reject_reason,
        ranked.reject_reason is null and ranked.copy_number > 1 as is_duplicate,
        versions.superseded_at is not null as is_superseded

    from ranked
    left join versions
        on ranked.reject_reason is null
        and ranked.copy_number = 1
        and ranked.customer_id = versions.customer_id
        and ranked.channel = versions.channel
        and coalesce(ranked.updated_at, cast('1900-01-01 00:00:00' as timestamp)) = versions.version_at

)

select * from final
