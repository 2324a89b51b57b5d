with

base as (

    select * from {{ ref('base_transactions') }}

),

final as (

    select
        reject_reason,
        raw_transaction_id as transaction_id,
        raw_customer_id as customer_id,
        raw_transaction_date as transaction_date,
        raw_amount as amount,
        raw_merchant_category as merchant_category

    from base
    where reject_reason is not null

)

select * from final
