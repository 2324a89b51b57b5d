{{ config(materialized='table') }}

{#-
    A table, not a view: it is read by a dozen models and tests, which then scan a table instead of
    each evaluating the join with the customers again, and DuckDB plans their aggregates from the
    table's true size. Through the view it estimated a twentieth of the rows, and at ten times the
    guide's scale int_purchase_days_aggregated's group by ran out of memory under the cap
    (docs/decisions.md).
-#}

with

transactions as (

    select * from {{ ref('stg_transactions') }}

),

repeated_copies as (

    select * from {{ ref('int_transaction_copies_matched') }}

),

customers as (

    select * from {{ ref('stg_customers') }}

),

repeated_ids as (

    select distinct transaction_id from repeated_copies

),

single_transactions as (

    select
        transactions.transaction_id,
        transactions.customer_id,
        transactions.merchant_category,
        transactions.amount,
        transactions.transaction_date,
        transactions.product_id

    from transactions
    inner join customers
        on transactions.customer_id = customers.customer_id
    left join repeated_ids
        on transactions.transaction_id = repeated_ids.transaction_id
    where repeated_ids.transaction_id is null

),

kept_copies as (

    select
        transaction_id,
        customer_id,
        merchant_category,
        amount,
        transaction_date,
        product_id

    from repeated_copies
    where known_copy_number = 1

),

final as (

    select * from single_transactions
    union all
    select * from kept_copies

)

select * from final
