with

base as (

    select * from {{ ref('base_transactions') }}

),

repeats as (

    select * from {{ ref('base_transactions__repeats') }}

),

-- Usable rows whose transaction_id no other usable row carries. Joined rather than filtered
-- with `not in (subquery)`: Spark 3.5 mishandles one beside other conditions, and a join reads
-- the same on every engine.
single_rows as (

    select
        -- ids
        base.transaction_id,
        base.customer_id,

        -- strings
        base.merchant_category,

        -- numerics
        base.amount,

        -- dates
        base.transaction_date,

        -- optional
        base.product_id

    from base
    left join repeats
        on base.transaction_id = repeats.transaction_id
    where base.reject_reason is null
        and repeats.transaction_id is null

),

kept_copies as (

    select
        transaction_id,
        customer_id,
        merchant_category,
        amount,
        transaction_date,
        product_id

    from repeats

),

final as (

    select * from single_rows
    union all
    select * from kept_copies

)

select * from final
