{#
    The optional campaign_deliveries file (docs/rules/raw-input.md): the messaging platform's log, one row
    per campaign and customer, `treatment` (sent) or `holdout` (deliberately not sent). Typed once;
    stg_campaign_deliveries and stg_campaign_deliveries__rejected are filters of this table. A bad
    id, group or timestamp rejects the row (whether its customer is known is judged after staging,
    int_campaign_deliveries_unmatched); a delivered or bounced flag that is not a boolean reads as
    null. A repeated (campaign, customer) keeps the earliest
    sent_at, then the raw text, so the pick never depends on file order.
#}

with

source as (

    select * from {{ source('raw', 'campaign_deliveries') }}

),

field_texts as (

    select
        -- the row as it arrived
        campaign_id as raw_campaign_id,
        customer_id as raw_customer_id,
        test_group as raw_test_group,
        sent_at as raw_sent_at,
        delivered as raw_delivered,
        bounced as raw_bounced,
        opened_at as raw_opened_at,
        clicked_at as raw_clicked_at,
        unsubscribed_at as raw_unsubscribed_at,
        line_number,
        line_text,
        line_reject_reason,

        {{ field_text('campaign_id') }} as campaign_id,
        {{ field_text('customer_id') }} as customer_id_text,
        lower({{ field_text('test_group') }}) as test_group_text,
        {{ field_text('sent_at') }} as sent_at_text,
        {{ field_text('delivered') }} as delivered_text,
        {{ field_text('bounced') }} as bounced_text,
        {{ field_text('opened_at') }} as opened_at_text,
        {{ field_text('clicked_at') }} as clicked_at_text,
        {{ field_text('unsubscribed_at') }} as unsubscribed_at_text

    from source

),

typed as (

    select
        *,
        {{ parse_integer('customer_id_text') }} as customer_id,
        case when test_group_text in ('treatment', 'holdout') then test_group_text end as test_group,
        {{ parse_iso_timestamp('sent_at_text') }} as sent_at,
        {{ parse_boolean('delivered_text') }} as delivered,
        {{ parse_boolean('bounced_text') }} as bounced,
        {{ parse_iso_timestamp('opened_at_text') }} as opened_at,
        {{ parse_iso_timestamp('clicked_at_text') }} as clicked_at,
        {{ parse_iso_timestamp('unsubscribed_at_text') }} as unsubscribed_at

    from field_texts

),

validated as (

    select
        *,
        case
            {{ reject_if_not_a_row(['campaign_id', 'customer_id', 'test_group', 'sent_at']) }}
            when campaign_id is null then 'campaign_id is missing'
            {{ reject_if_missing_or_unparsed('customer_id', 'an integer') }}
            when test_group_text is null then 'test_group is missing'
            when test_group is null then 'test_group is not treatment/holdout'
            {{ reject_if_missing_or_unparsed('sent_at', 'an ISO timestamp') }}
            when opened_at_text is not null and opened_at is null then 'opened_at is not an ISO timestamp'
            when clicked_at_text is not null and clicked_at is null then 'clicked_at is not an ISO timestamp'
            when unsubscribed_at_text is not null and unsubscribed_at is null
                then 'unsubscribed_at is not an ISO timestamp'
        end as reject_reason

    from typed

),

ranked as (

    select
        *,
        row_number() over (
            partition by reject_reason is null, campaign_id, customer_id
            order by
                sent_at,
                raw_test_group,
                raw_delivered,
                raw_bounced,
                raw_opened_at,
                raw_clicked_at,
                raw_unsubscribed_at
        ) as copy_number

    from validated

),

final as (

    select
        raw_campaign_id,
        raw_customer_id,
        raw_test_group,
        raw_sent_at,
        raw_delivered,
        raw_bounced,
        raw_opened_at,
        raw_clicked_at,
        raw_unsubscribed_at,
        campaign_id,
        customer_id,
        test_group,
        sent_at,
        delivered,
        bounced,
        opened_at,
        clicked_at,
        unsubscribed_at,
        line_number,
        line_text,
        reject_reason,
        reject_reason is null and copy_number > 1 as is_duplicate

    from ranked

)

select * from final
