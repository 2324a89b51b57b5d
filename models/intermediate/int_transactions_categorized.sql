{{ config(materialized='view') }}

{#- A view: its only reader aggregates it in one pass, so materialising millions of rows buys nothing. #}

with

transactions as (

    select * from {{ ref('int_transactions_matched') }}

),

category_groups as (

    select * from {{ ref('category_groups') }}

),

final as (

    select
        transactions.transaction_id,
        transactions.customer_id,
        transactions.transaction_date,
        transactions.amount,
        transactions.product_id,
        coalesce(category_groups.category, transactions.merchant_category) as merchant_category,
        coalesce(category_groups.category_group, 'Other') as category_group

    from transactions
    left join category_groups
        on lower(transactions.merchant_category) = lower(category_groups.category)

)

select * from final
