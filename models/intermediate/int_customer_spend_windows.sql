{#
    Every per-customer transaction aggregate the segments and RFM need, in one pass over the
    transactions: the current and prior 90-day windows, their travel and necessities amounts,
    the trailing year, and the lifetime total, all as of the as-of date. Refunds (negative
    amounts) net inside whichever window they fall in. Customers with no transactions get zeros.
#}

{%- set a = as_of_windows() %}

with

customers as (

    select * from {{ ref('int_customer_tenure') }}

),

transactions as (

    select * from {{ ref('int_transactions_categorized') }}
    where transaction_date <= {{ date_literal(a.as_of) }}

),

aggregated as (

    select
        customer_id,
        sum(amount) filter (where transaction_date >= {{ date_literal(a.current_start) }}) as spend_last_90_days,
        sum(amount) filter (
            where transaction_date between {{ date_literal(a.prior_start) }} and {{ date_literal(a.prior_end) }}
        ) as spend_prior_90_days,
        sum(amount) filter (
            where transaction_date >= {{ date_literal(a.current_start) }} and category_group = 'Travel'
        ) as travel_spend_last_90_days,
        sum(amount) filter (
            where transaction_date >= {{ date_literal(a.current_start) }} and category_group = 'Necessities'
        ) as necessities_spend_last_90_days,
        sum(amount) filter (where transaction_date >= {{ date_literal(a.year_start) }}) as monetary_365d,
        count(*) filter (where transaction_date >= {{ date_literal(a.year_start) }} and amount > 0) as frequency_365d,
        max(transaction_date) filter (where amount > 0) as last_purchase_date,
        sum(amount) as lifetime_value

    from transactions
    group by customer_id

),

final as (

    select
        customers.customer_id,
        cast(coalesce(aggregated.spend_last_90_days, 0) as decimal(18, 2)) as spend_last_90_days,
        cast(coalesce(aggregated.spend_prior_90_days, 0) as decimal(18, 2)) as spend_prior_90_days,
        cast(coalesce(aggregated.travel_spend_last_90_days, 0) as decimal(18, 2)) as travel_spend_last_90_days,
        cast(coalesce(aggregated.necessities_spend_last_90_days, 0) as decimal(18, 2)) as necessities_spend_last_90_days,
        cast(coalesce(aggregated.monetary_365d, 0) as decimal(18, 2)) as monetary_365d,
        cast(coalesce(aggregated.frequency_365d, 0) as integer) as frequency_365d,
        aggregated.last_purchase_date,
        cast(coalesce(aggregated.lifetime_value, 0) as decimal(18, 2)) as lifetime_value

    from customers
    left join aggregated
        on customers.customer_id = aggregated.customer_id

)

select * from final
