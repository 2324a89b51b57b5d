{#
    The campaign log's usable deliveries to a known customer (docs/rules/raw-input.md): staging's clean rows
    whose customer_id is a clean customer, one per campaign and customer.
#}

with

deliveries as (

    select * from {{ ref('stg_campaign_deliveries') }}

),

customers as (

    select * from {{ ref('stg_customers') }}

),

final as (

    select
        deliveries.campaign_id,
        deliveries.customer_id,
        deliveries.test_group,
        deliveries.sent_at,
        deliveries.delivered,
        deliveries.bounced,
        deliveries.opened_at,
        deliveries.clicked_at,
        deliveries.unsubscribed_at

    from deliveries
    inner join customers
        on deliveries.customer_id = customers.customer_id

)

select * from final
