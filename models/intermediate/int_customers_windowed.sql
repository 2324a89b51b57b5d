{#
    Every aggregate in one pass over the transactions, for all the run's as-of dates at once,
    rather than one pass per window or date.
#}

with

customers as (

    select * from {{ ref('int_customers_tenured') }}

),

transactions as (

    select * from {{ ref('int_transactions_categorized') }}

),

as_of_windows as (

    select * from {{ ref('int_as_of_dates_windowed') }}

),

aggregated as (

    select
        transactions.customer_id,
        as_of_windows.as_of_date,
        sum(transactions.amount) filter (
            where transactions.transaction_date >= as_of_windows.current_start
        ) as spend_last_90_days,
        sum(transactions.amount) filter (
            where transactions.transaction_date between as_of_windows.prior_start and as_of_windows.prior_end
        ) as spend_prior_90_days,
        sum(transactions.amount) filter (
            where transactions.transaction_date >= as_of_windows.current_start
            and transactions.category_group = 'Travel'
        ) as travel_spend_last_90_days,
        sum(transactions.amount) filter (
            where transactions.transaction_date >= as_of_windows.current_start
            and transactions.category_group = 'Necessities'
        ) as necessities_spend_last_90_days,
        sum(transactions.amount) filter (
            where transactions.transaction_date >= as_of_windows.year_start
        ) as monetary_365d,
        count(*) filter (
            where transactions.transaction_date >= as_of_windows.year_start and transactions.amount > 0
        ) as frequency_365d,
        max(transactions.transaction_date) filter (where transactions.amount > 0) as last_purchase_date,
        -- every positive transaction on or before the date (the criteria's total_orders, average_order_value)
        count(*) filter (where transactions.amount > 0) as total_orders,
        sum(transactions.amount) filter (where transactions.amount > 0) as positive_spend,
        sum(transactions.amount) as lifetime_value

    from transactions
    -- transactions dated after an as-of date play no part in that date's figures
    inner join as_of_windows
        on transactions.transaction_date <= as_of_windows.as_of_date
    group by transactions.customer_id, as_of_windows.as_of_date

),

final as (

    select
        customers.customer_id,
        customers.as_of_date,
        cast(coalesce(aggregated.spend_last_90_days, 0) as decimal(18, 2)) as spend_last_90_days,
        cast(coalesce(aggregated.spend_prior_90_days, 0) as decimal(18, 2)) as spend_prior_90_days,
        cast(coalesce(aggregated.travel_spend_last_90_days, 0) as decimal(18, 2)) as travel_spend_last_90_days,
        cast(
            coalesce(aggregated.necessities_spend_last_90_days, 0) as decimal(18, 2)
        ) as necessities_spend_last_90_days,
        cast(coalesce(aggregated.monetary_365d, 0) as decimal(18, 2)) as monetary_365d,
        cast(coalesce(aggregated.frequency_365d, 0) as integer) as frequency_365d,
        aggregated.last_purchase_date,
        cast(coalesce(aggregated.total_orders, 0) as integer) as total_orders,
        cast(coalesce(aggregated.positive_spend, 0) as decimal(18, 2)) as positive_spend,
        cast(coalesce(aggregated.lifetime_value, 0) as decimal(18, 2)) as lifetime_value

    from customers
    left join aggregated
        on customers.customer_id = aggregated.customer_id
        and customers.as_of_date = aggregated.as_of_date

)

select * from final
