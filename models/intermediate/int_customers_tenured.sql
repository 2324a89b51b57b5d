{#
    The customer base of each as-of date: customers who had signed up by that date, with their
    tenure in complete months. A customer who signs up after the as-of date is not yet a customer.
#}

with

customers as (

    select * from {{ ref('stg_customers') }}

),

as_of_windows as (

    select * from {{ ref('int_as_of_dates_windowed') }}

),

final as (

    select
        customers.customer_id,
        as_of_windows.as_of_date,
        customers.signup_date,
        cast(
            {{ complete_months_between('customers.signup_date', 'as_of_windows.as_of_date') }} as integer
        ) as tenure_months

    from customers
    inner join as_of_windows
        on customers.signup_date <= as_of_windows.as_of_date

)

select * from final
