{#-
    Judged after de-duplication, so a repeated id is one transaction whichever customers its
    copies name. Every field of such a row parsed, so its values are shown as staged, as text,
    in the columns of stg_transactions__rejected.
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
        'customer_id is not a known customer' as reject_reason,
        cast(transactions.transaction_id as {{ dbt.type_string() }}) as transaction_id,
        cast(transactions.customer_id as {{ dbt.type_string() }}) as customer_id,
        cast(transactions.transaction_date as {{ dbt.type_string() }}) as transaction_date,
        cast(transactions.amount as {{ dbt.type_string() }}) as amount,
        transactions.merchant_category

    from transactions
    left join customers
        on transactions.customer_id = customers.customer_id
    where customers.customer_id is null

)

select * from final
