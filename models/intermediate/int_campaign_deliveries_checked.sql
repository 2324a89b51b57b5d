{#
    Every delivery of the campaign log, checked: whether its customer was in the campaign's
    audience, and whether they were contactable on the campaign's channel at sent_at, by the
    consent rule customer_contactability applies as of the run (macros/consent_rules.sql) fed with
    what held at sent_at: the preference version in force then (the latest updated_at on or before
    sent_at; none means no consent, so a preferences file that keeps only the latest row makes an
    earlier send look like a breach: keep the history), a suppression from its added_at (always,
    without one), the account status of dim_customer's version then. The contact details are the
    customer file's (it carries no history of them). Only a treatment row was sent, so only it can
    be a breach. DuckDB only, like the audiences it compares with.
#}

{{ config(enabled=builds_duckdb_only_models()) }}

with

deliveries as (

    select * from {{ ref('int_campaign_deliveries_matched') }}

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

statuses as (

    select * from {{ ref('int_customer_statuses_versioned') }}

),

preferences as (

    select * from {{ ref('int_customer_preferences_matched') }}

),

suppressions as (

    select * from {{ ref('int_suppressions_matched') }}

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
            'preferences.marketing_consent',
            'preferences.notification_enabled',
            'statuses.account_status',
            suppressed_at('suppressions.customer_id', 'suppressions.added_at', 'deliveries.sent_at'),
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
    left join statuses
        on deliveries.customer_id = statuses.customer_id
        and {{ in_force_at('statuses.valid_from', 'statuses.valid_to', 'deliveries.sent_at') }}
    left join preferences
        on deliveries.customer_id = preferences.customer_id
        and campaigns.channel = preferences.channel
        and {{ in_force_at('preferences.updated_at', 'preferences.superseded_at', 'deliveries.sent_at') }}
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
