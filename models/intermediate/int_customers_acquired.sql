{#
    Each customer who signed up on or before the run's as-of date A, with the month and quarter of the
    signup: the acquisition cohorts of docs/rules/cohorts.md. A is the latest date the run computes.
#}

with

customers as (

    select * from {{ ref('stg_customers') }}

),

as_of as (

    select max(as_of_date) as as_of_date from {{ ref('int_as_of_dates_windowed') }}

),

indexed as (

    select
        customers.customer_id,
        customers.signup_date,
        {{ month_index('customers.signup_date') }} as signup_month_index

    from customers
    inner join as_of
        on customers.signup_date <= as_of.as_of_date

),

final as (

    select
        customer_id,
        signup_date,
        signup_month_index,
        {{ month_from_index('signup_month_index') }} as signup_month,
        -- the first month of the quarter: months are counted from January of year 0, so quarters from 0 in threes
        {{ month_from_index('floor(signup_month_index / 3) * 3') }} as signup_quarter

    from indexed

)

select * from final
