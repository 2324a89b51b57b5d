with

base as (

    select * from {{ ref('base_transactions') }}

),

final as (

    select
        reject_reason,
        {{ raw_value('raw_values', 'raw_transaction_id') }} as transaction_id,
        {{ raw_value('raw_values', 'raw_customer_id') }} as customer_id,
        {{ raw_value('raw_values', 'raw_transaction_date') }} as transaction_date,
        {{ raw_value('raw_values', 'raw_amount') }} as amount,
        {{ raw_value('raw_values', 'raw_merchant_category') }} as merchant_category,
        {{ raw_value('raw_values', 'raw_product_id') }} as product_id,
        cast({{ raw_value('raw_values', 'line_number') }} as {{ dbt.type_bigint() }}) as line_number,
        {{ raw_value('raw_values', 'line_text') }} as line_text

    from base
    where reject_reason is not null

)

select * from final
