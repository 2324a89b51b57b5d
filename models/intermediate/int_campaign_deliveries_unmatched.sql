{#
    The campaign log's rows that staging found usable but whose customer is not a known one,
    rejected with that reason and their raw text, in the columns of
    stg_campaign_deliveries__rejected. Every copy is rejected, the ones staging had removed as
    duplicates too (is_duplicate), since a copy repeats its customer: no row of an unknown customer
    counts as a duplicate.
#}

with

deliveries as (

    select * from {{ ref('base_campaign_deliveries') }}

),

customers as (

    select * from {{ ref('stg_customers') }}

),

final as (

    select
        cast('customer_id is not a known customer' as {{ dbt.type_string() }}) as reject_reason,
        deliveries.raw_campaign_id as campaign_id,
        deliveries.raw_customer_id as customer_id,
        deliveries.raw_test_group as test_group,
        deliveries.raw_sent_at as sent_at,
        deliveries.raw_delivered as delivered,
        deliveries.raw_bounced as bounced,
        deliveries.raw_opened_at as opened_at,
        deliveries.raw_clicked_at as clicked_at,
        deliveries.raw_unsubscribed_at as unsubscribed_at,
        deliveries.line_number,
        deliveries.line_text,
        deliveries.is_duplicate

    from deliveries
    left join customers
        on deliveries.customer_id = customers.customer_id
    where deliveries.reject_reason is null
        and customers.customer_id is null

)

select * from final
