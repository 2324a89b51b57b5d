{#
    Each customer of the run (signed up on or before A) on each channel, with what the consent rule
    reads at the end of A (docs/rules/campaigns.md, docs/marketing.md): the preference version in force then
    (one updated after A does not count yet), whether a suppression counts by then (always, without
    added_at), the customer file's account status and contact details. customer_contactability
    applies the rule to it. A view: the mart reads it once.
#}

{{ config(materialized='view') }}

{%- set as_of = date_literal(as_of_date()) %}

with

customers as (

    select * from {{ ref('stg_customers') }}
    where signup_date <= {{ as_of }}

),

preferences as (

    select * from {{ ref('int_customer_preferences_matched') }}
    where {{ in_force_on_day('updated_at', 'superseded_at', as_of) }}

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

final as (

    select
        customers.customer_id,
        channels.channel,
        customers.account_status,
        customers.email,
        customers.is_email_shared,
        customers.phone,
        preferences.marketing_consent,
        preferences.notification_enabled,
        {{ suppressed_on_day('suppressions.customer_id', 'suppressions.added_at', as_of) }} as is_suppressed

    from customers
    cross join channels
    left join preferences
        on customers.customer_id = preferences.customer_id
        and channels.channel = preferences.channel
    left join suppressions
        on customers.customer_id = suppressions.customer_id

)

select * from final
