{#
    Whether each customer may be contacted on each channel as of the run's date A (docs/rules/campaigns.md),
    and if not, why: the only model that decides consent now (the rule is macros/consent_rules.sql;
    int_customer_channels_judged applies the same rule at the run's earlier dates). Every export
    reads it. One row per customer of the run (signed up on or before A) and channel, judged with
    what held at the end of A (int_customer_channels_joined): the preference version in force then,
    the suppressions counting by then, the customer file's account status and contact details. No
    contact details, only whether they exist. Without a preferences file nobody may be contacted.
#}

with

customer_channels as (

    select * from {{ ref('int_customer_channels_joined') }}

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
