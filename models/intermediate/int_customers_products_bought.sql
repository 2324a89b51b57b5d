{#
    Each customer's products (the optional product_id on transactions, docs/rules/raw-input.md) with the
    date of their first positive transaction of it, one list per customer. The criteria's
    purchased_products is this list filtered to an as-of date (macro purchased_products_as_of),
    computed only where it is read. DuckDB only, like the user-defined segments it serves.
#}

{{ config(enabled=builds_duckdb_only_models()) }}

with

transactions as (

    select * from {{ ref('int_transactions_matched') }}

),

first_purchases as (

    select
        customer_id,
        product_id,
        min(transaction_date) as first_purchase_date

    from transactions
    where amount > 0
        and product_id is not null
    group by customer_id, product_id

),

final as (

    select
        customer_id,
        list(
            struct_pack(product_id := product_id, first_purchase_date := first_purchase_date) order by product_id
        ) as first_purchases

    from first_purchases
    group by customer_id

)

select * from final
