{#
    The retention matrix of the monthly acquisition cohorts (docs/rules/cohorts.md and docs/rules/lifetime-value.md): one row per
    cohort and month offset k from the signup month (k = 0) to the month of A, every offset present,
    zeros included. Only transactions on or before A count; a member's transactions before its signup
    month fall on no offset. A month before the first month with any transaction (on or before A) is
    before the history the warehouse holds: nobody's purchases there are known, so it is unobserved
    (is_observed false) and its counts, rate and revenue are null rather than zero; the cumulative
    revenue adds up the observed months.
#}

with

members as (

    select * from {{ ref('int_customers_acquired') }}

),

transactions as (

    select * from {{ ref('int_transactions_matched') }}

),

latest as (

    select max(as_of_date) as as_of_date from {{ ref('int_as_of_dates_windowed') }}

),

as_of as (

    select
        as_of_date,
        {{ month_index('as_of_date') }} as as_of_month_index,
        -- the month of A is complete when A is its last day
        case when {{ is_month_end('as_of_date') }} then 1 else 0 end as as_of_month_is_complete

    from latest

),

-- the first month of the transaction history: earlier months are unobserved
history as (

    select min(transactions.transaction_date) as first_transaction_date

    from transactions
    inner join as_of
        on transactions.transaction_date <= as_of.as_of_date

),

history_start as (

    select {{ month_index('first_transaction_date') }} as first_month_index

    from history

),

cohorts as (

    select
        signup_month as cohort_month,
        signup_month_index as cohort_month_index,
        count(*) as cohort_size

    from members
    group by signup_month, signup_month_index

),

-- 0 to 9,999 months, from four digits: a signup may be as early as 1900 (earlier ones are rejected)
digits as (

    select digits.digit from (values (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)) as digits (digit)

),

offsets as (

    select thousands.digit * 1000 + hundreds.digit * 100 + tens.digit * 10 + ones.digit as months_since_signup
    from digits as thousands
    cross join digits as hundreds
    cross join digits as tens
    cross join digits as ones

),

matrix as (

    select
        cohorts.cohort_month,
        cohorts.cohort_month_index,
        cohorts.cohort_size,
        offsets.months_since_signup,
        as_of.as_of_month_index,
        as_of.as_of_month_is_complete

    from cohorts
    cross join as_of
    inner join offsets
        on offsets.months_since_signup <= as_of.as_of_month_index - cohorts.cohort_month_index

),

-- each customer's months with a transaction on or before A: whether any amount was positive, and the month's sum.
-- Aggregated per customer first, a plain group by that spills, rather than counting distinct customers per
-- cohort and month, which held every cohort's set of customer ids in memory at once (docs/decisions.md)
customer_months as (

    select
        transactions.customer_id,
        {{ month_index('transactions.transaction_date') }} as month_index,
        max(case when transactions.amount > 0 then 1 else 0 end) as is_active,
        sum(transactions.amount) as revenue

    from transactions
    inner join as_of
        on transactions.transaction_date <= as_of.as_of_date
    group by transactions.customer_id, {{ month_index('transactions.transaction_date') }}

),

-- a month before the signup month falls on no offset
member_months as (

    select
        members.signup_month as cohort_month,
        customer_months.month_index - members.signup_month_index as months_since_signup,
        count(case when customer_months.is_active = 1 then 1 end) as active_customers,
        sum(customer_months.revenue) as revenue

    from customer_months
    inner join members
        on customer_months.customer_id = members.customer_id
    where customer_months.month_index >= members.signup_month_index
    group by
        members.signup_month,
        customer_months.month_index - members.signup_month_index

),

filled as (

    select
        matrix.cohort_month,
        matrix.months_since_signup,
        matrix.cohort_month_index + matrix.months_since_signup as period_month_index,
        matrix.as_of_month_index,
        matrix.as_of_month_is_complete,
        matrix.cohort_size,
        -- no transaction history at all: nothing is observed
        coalesce(matrix.cohort_month_index + matrix.months_since_signup >= history_start.first_month_index, false)
            as is_observed,
        case
            when matrix.cohort_month_index + matrix.months_since_signup >= history_start.first_month_index
                then coalesce(member_months.active_customers, 0)
        end as active_customers,
        case
            when matrix.cohort_month_index + matrix.months_since_signup >= history_start.first_month_index
                then cast(coalesce(member_months.revenue, 0) as decimal(18, 2))
        end as revenue

    from matrix
    cross join history_start
    left join member_months
        on matrix.cohort_month = member_months.cohort_month
        and matrix.months_since_signup = member_months.months_since_signup

),

accumulated as (

    select
        *,
        -- null up to the first observed month (a sum of nulls), then the observed months' revenue
        sum(revenue) over (
            partition by cohort_month order by months_since_signup rows between unbounded preceding and current row
        ) as cumulative_revenue

    from filled

),

final as (

    select
        cast({{ cohort_month_id('cohort_month') }} as {{ dbt.type_string() }}) as cohort_id,
        cast(cohort_month as date) as cohort_month,
        cast(months_since_signup as integer) as months_since_signup,
        cast({{ month_from_index('period_month_index') }} as date) as period_month,
        cast(cohort_size as bigint) as cohort_size,
        cast(active_customers as bigint) as active_customers,
        -- active / size to 4 places, exactly: the same ratio in hundredths, to 2 places, times 0.01
        cast(
            {{ rounded_ratio('active_customers', 'cohort_size', 100) }} * cast(0.01 as decimal(3, 2)) as decimal(6, 4)
        ) as retention_rate,
        cast(revenue as decimal(18, 2)) as revenue,
        {{ rounded_ratio('cumulative_revenue', 'cohort_size') }} as cumulative_revenue_per_customer,
        (
            period_month_index < as_of_month_index
            or (period_month_index = as_of_month_index and as_of_month_is_complete = 1)
        ) as is_complete,
        is_observed

    from accumulated

)

select * from final
