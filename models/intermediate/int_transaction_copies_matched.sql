{#-
    The cleaning rules (docs/rules/cleaning.md) reject a transaction of an unknown customer before repeated ids are resolved, so a
    copy naming an unknown customer never wins over one naming a known customer. Staging resolves
    repeats on the rows' own text; only the few ids it found repeated are ranked again here, among
    their known copies.
-#}

with

base as (

    select * from {{ ref('base_transactions') }}

),

repeats as (

    select * from {{ ref('base_transactions__repeats') }}

),

customers as (

    select * from {{ ref('stg_customers') }}

),

copies as (

    select
        base.transaction_id,
        base.customer_id,
        base.merchant_category,
        base.amount,
        base.transaction_date,
        base.product_id,
        customers.customer_id is not null as is_known_customer

    from base
    inner join repeats
        on base.transaction_id = repeats.transaction_id
    left join customers
        on base.customer_id = customers.customer_id
    where base.reject_reason is null

),

final as (

    select
        copies.*,
        case
            when copies.is_known_customer
                then row_number() over (
                        partition by copies.transaction_id, copies.is_known_customer
                        order by {{ transaction_copy_order('copies') }}
                    )
        end as known_copy_number

    from copies

)

select * from final
