{#- The acquisition cohorts (docs/rules/cohorts.md): one per signup month and one per signup quarter with a member. -#}

with

customers as (

    select * from {{ ref('int_customers_acquired') }}

),

monthly as (

    select
        {{ cohort_month_id('signup_month') }} as cohort_id,
        concat({{ cohort_month_id('signup_month') }}, ' Acquisition') as cohort_name,
        'month' as cohort_period,
        signup_month as acquisition_start_date,
        {{ month_end_from_index('signup_month_index') }} as acquisition_end_date,
        count(*) as member_count

    from customers
    group by signup_month, signup_month_index

),

quarterly as (

    select
        {{ cohort_quarter_id('signup_quarter') }} as cohort_id,
        concat(
            'Q', cast(cast(extract(quarter from signup_quarter) as integer) as {{ dbt.type_string() }}),
            ' ', cast(cast(extract(year from signup_quarter) as integer) as {{ dbt.type_string() }}),
            ' Acquisition'
        ) as cohort_name,
        'quarter' as cohort_period,
        signup_quarter as acquisition_start_date,
        {{ month_end_from_index(month_index('signup_quarter') ~ ' + 2') }} as acquisition_end_date,
        count(*) as member_count

    from customers
    group by signup_quarter

),

unioned as (

    select * from monthly
    union all
    select * from quarterly

),

final as (

    select
        cast(cohort_id as {{ dbt.type_string() }}) as cohort_id,
        cast(cohort_name as {{ dbt.type_string() }}) as cohort_name,
        cast('acquisition' as {{ dbt.type_string() }}) as cohort_type,
        cast(cohort_period as {{ dbt.type_string() }}) as cohort_period,
        cast(acquisition_start_date as date) as acquisition_start_date,
        cast(acquisition_end_date as date) as acquisition_end_date,
        cast(member_count as bigint) as member_count

    from unioned

)

select * from final
