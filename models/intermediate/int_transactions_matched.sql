{{ config(materialized='view') }}

{#-
    A view: its readers scan it once each, and the join with a few thousand customers costs less
    than writing every transaction again. Rows whose customer is unknown are
    int_transactions_unmatched.
-#}

with

transactions as (

    select * from {{ ref('stg_transactions') }}

),

customers as (

    select * from {{ ref('stg_customers') }}

),

final as (

    select
        transactions.transaction_id,
        transactions.customer_id,
        transactions.merchant_category,
        transactions.amount,
        transactions.transaction_date

    from transactions
    inner join customers
        on transactions.customer_id = customers.customer_id

)

select * from final
