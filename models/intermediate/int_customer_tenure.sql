{#
    The customer base of the run: customers who had signed up by the as-of date, with their
    tenure in complete months. A customer who signs up after the as-of date is not yet a customer.
#}

{%- set a = as_of_windows() %}

with

customers as (

    select * from {{ ref('stg_customers') }}

),

final as (

    select
        customer_id,
        signup_date,
        cast({{ complete_months_between('signup_date', date_literal(a.as_of)) }} as integer) as tenure_months

    from customers
    where signup_date <= {{ date_literal(a.as_of) }}

)

select * from final
