{#
    Each customer's products (the optional product_id on transactions, docs/rules/raw-input.md) with the
    date of their first positive transaction of it, one row per customer and product. The criteria's
    purchased_products is worked out from it for the dates read (macro purchased_products_by_date), only
    where it is read. A narrow table rather than a list per customer: a plain group by, which DuckDB can
    spill, where a list per customer held every customer's products in memory at once
    (docs/decisions.md). DuckDB only, like the user-defined segments it serves.
#}

{{ config(enabled=builds_duckdb_only_models()) }}

with

transactions as (

    select * from {{ ref('int_transactions_matched') }}

),

final as (

    select
        customer_id,
        product_id,
        min(transaction_date) as first_purchase_date

    from transactions
    where amount > 0
        and product_id is not null
    group by customer_id, product_id

)

select * from final
