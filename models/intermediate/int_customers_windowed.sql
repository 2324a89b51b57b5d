{#
    Every aggregate for all the run's as-of dates in two steps rather than one pass per date. The windows of
    all the dates share few edges, so the transactions are first summed once into buckets that lie between
    consecutive edges (int_as_of_dates_windowed's dates and the day before each window opens): a bucket then
    lies wholly inside or wholly outside every window. Each date's figures are sums over whole buckets, which
    join the dates in place of every transaction. The bucket of a transaction is looked up by its day, on
    equality (macros/dates_in_periods.sql).
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

transaction_days as (

    select distinct transaction_date from {{ ref('int_transactions_categorized') }}

),

-- the last day of each bucket: a window's last day, or the day before a window's first
edges as (

    select as_of_date as bucket_end from as_of_windows
    union
    select prior_end as bucket_end from as_of_windows
    union
    select before_prior_start as bucket_end from as_of_windows
    union
    select before_year_start as bucket_end from as_of_windows

),

buckets as (

    select
        bucket_end,
        lag(bucket_end) over (order by bucket_end) as previous_bucket_end

    from edges

),

-- transactions after the latest as-of date fall in no bucket and play no part
days_bucketed as (

    {{ dates_in_periods('transaction_days', 'transaction_date', 'buckets', 'bucket_end', 'previous_bucket_end') }}

),

bucketed as (

    select
        transactions.customer_id,
        days_bucketed.bucket_end,
        sum(transactions.amount) as spend,
        sum(transactions.amount) filter (where transactions.category_group = 'Travel') as travel_spend,
        sum(transactions.amount) filter (where transactions.category_group = 'Necessities') as necessities_spend,
        count(*) filter (where transactions.amount > 0) as purchases,
        sum(transactions.amount) filter (where transactions.amount > 0) as positive_spend,
        max(transactions.transaction_date) filter (where transactions.amount > 0) as last_purchase_date

    from transactions
    inner join days_bucketed
        on transactions.transaction_date = days_bucketed.transaction_date
    group by transactions.customer_id, days_bucketed.bucket_end

),

aggregated as (

    select
        bucketed.customer_id,
        as_of_windows.as_of_date,
        sum(bucketed.spend) filter (where bucketed.bucket_end >= as_of_windows.current_start) as spend_last_90_days,
        sum(bucketed.spend) filter (
            where bucketed.bucket_end between as_of_windows.prior_start and as_of_windows.prior_end
        ) as spend_prior_90_days,
        sum(bucketed.travel_spend) filter (
            where bucketed.bucket_end >= as_of_windows.current_start
        ) as travel_spend_last_90_days,
        sum(bucketed.necessities_spend) filter (
            where bucketed.bucket_end >= as_of_windows.current_start
        ) as necessities_spend_last_90_days,
        sum(bucketed.spend) filter (where bucketed.bucket_end >= as_of_windows.year_start) as monetary_365d,
        sum(bucketed.purchases) filter (where bucketed.bucket_end >= as_of_windows.year_start) as frequency_365d,
        max(bucketed.last_purchase_date) as last_purchase_date,
        -- every positive transaction on or before the date (the criteria's total_orders, average_order_value)
        sum(bucketed.purchases) as total_orders,
        sum(bucketed.positive_spend) as positive_spend,
        sum(bucketed.spend) as lifetime_value

    from bucketed
    -- a bucket ends on or before a date exactly when all of it does: every as-of date is a bucket's end
    inner join as_of_windows
        on bucketed.bucket_end <= as_of_windows.as_of_date
    group by bucketed.customer_id, as_of_windows.as_of_date

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
