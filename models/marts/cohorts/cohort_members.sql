{#- Every customer in the two acquisition cohorts of its signup: its month's and its quarter's. -#}

with

customers as (

    select * from {{ ref('int_customers_acquired') }}

),

monthly as (

    select
        {{ cohort_month_id('customers.signup_month') }} as cohort_id,
        customers.customer_id,
        customers.signup_date as joined_at

    from customers

),

quarterly as (

    select
        {{ cohort_quarter_id('customers.signup_quarter') }} as cohort_id,
        customers.customer_id,
        customers.signup_date as joined_at

    from customers

),

unioned as (

    select * from monthly
    union all
    select * from quarterly

),

final as (

    select
        cast(cohort_id as {{ dbt.type_string() }}) as cohort_id,
        customer_id,
        cast(joined_at as date) as joined_at

    from unioned

)

select * from final
