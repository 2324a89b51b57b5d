{#
    Whether each customer may be contacted on each channel as of the run (spec section 11), and
    if not, why: the only model that decides consent (the rule is macros/consent_rules.sql).
    Every audience and export reads it. One row per current customer and channel; no contact
    details, only whether they exist. Without a preferences file nobody may be contacted.
#}

with

customers as (

    select * from {{ ref('stg_customers') }}

),

preferences as (

    select * from {{ ref('stg_customer_preferences') }}

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
        suppressions.customer_id is not null as is_suppressed

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
