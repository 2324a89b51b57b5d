{#
    Whether each customer could be contacted on each channel at the end of every as-of date of the
    run, and if not, why: the consent rule (macros/consent_rules.sql, the same macro
    customer_contactability applies as of A) fed with what held then. The preference version in
    force that day (a version updated later does not count yet), suppressions added on or before it
    (always, without added_at), the account status of dim_customer's version then
    (int_customer_statuses_versioned); the contact details are the customer file's, which carries
    no history of them. Only customers signed up on or before the date. The audiences are selected
    from it (campaign_audiences), so a rebuild of the same files selects the same customers
    whatever changed after selected_at. A view: an audience reads one date and channel of it.
    DuckDB only, like the audiences.
#}

{{ config(enabled=builds_duckdb_only_models(), materialized='view') }}

with

as_of_dates as (

    select * from {{ ref('int_as_of_dates_windowed') }}

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

channels as (

    {%- for channel in contact_channels() %}
    select '{{ channel }}' as channel
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

customer_channels as (

    select
        as_of_dates.as_of_date,
        customers.customer_id,
        channels.channel,
        statuses.account_status,
        customers.email,
        customers.is_email_shared,
        customers.phone,
        preferences.marketing_consent,
        preferences.notification_enabled,
        {{ suppressed_on_day('suppressions.customer_id', 'suppressions.added_at', 'as_of_dates.as_of_date') }}
            as is_suppressed

    from as_of_dates
    inner join customers
        on as_of_dates.as_of_date >= customers.signup_date
    cross join channels
    left join statuses
        on customers.customer_id = statuses.customer_id
        and {{ in_force_on_day('statuses.valid_from', 'statuses.valid_to', 'as_of_dates.as_of_date') }}
    left join preferences
        on customers.customer_id = preferences.customer_id
        and channels.channel = preferences.channel
        and {{ in_force_on_day('preferences.updated_at', 'preferences.superseded_at', 'as_of_dates.as_of_date') }}
    left join suppressions
        on customers.customer_id = suppressions.customer_id

),

judged as (

    select
        as_of_date,
        customer_id,
        channel,
        {{ not_contactable_reasons(
            'channel', 'marketing_consent', 'notification_enabled', 'account_status', 'is_suppressed',
            'email', 'is_email_shared', 'phone',
        ) }} as not_contactable_reasons

    from customer_channels

),

final as (

    select
        as_of_date,
        customer_id,
        channel,
        not_contactable_reasons is null as is_contactable,
        not_contactable_reasons

    from judged

)

select * from final
