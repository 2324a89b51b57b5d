with

base as (

    select * from {{ ref('base_transactions') }}

),

final as (

    select
        -- ids
        transaction_id,
        customer_id,

        -- strings
        merchant_category,

        -- numerics
        amount,

        -- dates
        transaction_date

    from base
    where reject_reason is null
        and not is_duplicate

)

select * from final
