with

base as (

    select * from {{ ref('base_campaign_deliveries') }}

),

final as (

    select
        reject_reason,
        raw_campaign_id as campaign_id,
        raw_customer_id as customer_id,
        raw_test_group as test_group,
        raw_sent_at as sent_at,
        raw_delivered as delivered,
        raw_bounced as bounced,
        raw_opened_at as opened_at,
        raw_clicked_at as clicked_at,
        raw_unsubscribed_at as unsubscribed_at,
        line_number,
        line_text

    from base
    where reject_reason is not null

)

select * from final
