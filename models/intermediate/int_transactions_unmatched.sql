{#-
    Every field of such a row parsed, and staging keeps the raw text of rejected rows only, so its
    values are shown as staged, as text, in the columns of stg_transactions__rejected.
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

unknown_single_transactions as (

    select
        transactions.transaction_id,
        transactions.customer_id,
        transactions.transaction_date,
        transactions.amount,
        transactions.merchant_category

    from transactions
    left join customers
        on transactions.customer_id = customers.customer_id
    left join repeated_ids
        on transactions.transaction_id = repeated_ids.transaction_id
    where customers.customer_id is null
        and repeated_ids.transaction_id is null

),

unknown_copies as (

    select
        transaction_id,
        customer_id,
        transaction_date,
        amount,
        merchant_category

    from repeated_copies
    where not is_known_customer

),

unknown as (

    select * from unknown_single_transactions
    union all
    select * from unknown_copies

),

final as (

    select
        'customer_id is not a known customer' as reject_reason,
        cast(transaction_id as {{ dbt.type_string() }}) as transaction_id,
        cast(customer_id as {{ dbt.type_string() }}) as customer_id,
        cast(transaction_date as {{ dbt.type_string() }}) as transaction_date,
        cast(amount as {{ dbt.type_string() }}) as amount,
        merchant_category

    from unknown

)

select * from final
