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
