{#
    Every delivery of the campaign log, checked: whether its customer was in the campaign's
    audience, and whether they were contactable on the campaign's channel at sent_at, by the
    same rule customer_contactability applies as of the run (macros/consent_rules.sql). At
    sent_at: a suppression counts from its added_at (always, without one); a preference row
    counts when it was last updated on or before sent_at, and one updated later is not held
    against the send (the log cannot say what it replaced: an unsubscribe through this very
    message updates it). The account status and contact details are the current ones (the raw
    files carry no history of them). Only a treatment row was sent, so only it can be a breach.
    DuckDB only, like the audiences it compares with.
#}

{{ config(enabled=target.type == 'duckdb') }}

with

deliveries as (

    select * from {{ ref('stg_campaign_deliveries') }}

),

campaigns as (

    select * from {{ ref('campaigns') }}

),

audiences as (

    select * from {{ ref('campaign_audiences') }}

),

customers as (

    select * from {{ ref('stg_customers') }}

),

preferences as (

    select * from {{ ref('stg_customer_preferences') }}

),

suppressions as (

    select * from {{ ref('stg_suppressions') }}

),

at_send as (

    select
        deliveries.campaign_id,
        deliveries.customer_id,
        deliveries.test_group,
        deliveries.sent_at,
        campaigns.channel,
        audiences.customer_id is not null as is_in_audience,
        {{ not_contactable_reasons(
            'campaigns.channel',
            'case when preferences.updated_at > deliveries.sent_at then true else preferences.marketing_consent end',
            'case when preferences.updated_at > deliveries.sent_at then null else preferences.notification_enabled end',
            'customers.account_status',
            'coalesce(suppressions.added_at is null or suppressions.added_at <= deliveries.sent_at, false)'
            ~ ' and suppressions.customer_id is not null',
            'customers.email',
            'customers.is_email_shared',
            'customers.phone',
        ) }} as not_contactable_reasons

    from deliveries
    left join campaigns
        on deliveries.campaign_id = campaigns.campaign_id
    left join audiences
        on deliveries.campaign_id = audiences.campaign_id
        and deliveries.customer_id = audiences.customer_id
    left join customers
        on deliveries.customer_id = customers.customer_id
    left join preferences
        on deliveries.customer_id = preferences.customer_id
        and campaigns.channel = preferences.channel
    left join suppressions
        on deliveries.customer_id = suppressions.customer_id

),

final as (

    select
        campaign_id,
        customer_id,
        test_group,
        sent_at,
        channel,
        is_in_audience,
        not_contactable_reasons as not_contactable_reasons_at_send,
        test_group = 'treatment' and channel is not null and not_contactable_reasons is not null
            as is_consent_breach

    from at_send

)

select * from final
