{#
    Whether each customer may be contacted on each channel as of the run's date A (spec section 11),
    and if not, why: the only model that decides consent now (the rule is macros/consent_rules.sql;
    int_customer_channels_judged applies the same rule at the run's earlier dates). Every export
    reads it. One row per customer of the run (signed up on or before A) and channel, judged with
    what held at the end of A: the preference version in force then (one updated after A does not
    count yet), suppressions added on or before A (always, without added_at), the customer file's
    account status and contact details. No contact details, only whether they exist. Without a
    preferences file nobody may be contacted.
#}

{%- set as_of = date_literal(as_of_date()) %}

with

customers as (

    select * from {{ ref('stg_customers') }}
    where signup_date <= {{ as_of }}

),

preferences as (

    select * from {{ ref('stg_customer_preferences__history') }}
    where {{ in_force_on_day('updated_at', 'superseded_at', as_of) }}

),

suppressions as (

    select * from {{ ref('stg_suppressions') }}

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

),

judged as (

    select
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
        cast(customer_id as bigint) as customer_id,
        cast(channel as {{ dbt.type_string() }}) as channel,
        not_contactable_reasons is null as is_contactable,
        cast(not_contactable_reasons as {{ dbt.type_string() }}) as not_contactable_reasons

    from judged

)

select * from final
