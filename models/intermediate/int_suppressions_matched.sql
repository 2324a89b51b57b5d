{#
    The suppressions of a known customer (docs/rules/raw-input.md): staging's clean rows whose customer_id is
    a clean customer, one per customer.
#}

with

suppressions as (

    select * from {{ ref('stg_suppressions') }}

),

customers as (

    select * from {{ ref('stg_customers') }}

),

final as (

    select
        suppressions.customer_id,
        suppressions.suppression_reason,
        suppressions.added_at

    from suppressions
    inner join customers
        on suppressions.customer_id = customers.customer_id

)

select * from final
