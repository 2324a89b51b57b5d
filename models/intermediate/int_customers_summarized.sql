{#
    The BG/NBD and Gamma-Gamma inputs (spec section 13) per customer with a purchase, for every as-of
    date of the run, in days. A purchase day is a date with a positive amount; its value is the sum of
    the day's positive amounts (refunds are not purchases and do not lower a day's value).

    One pass, not one per date: each purchase day is counted once, in the period it falls in (after the
    previous as-of date, up to its own), and each date's figures are running totals over the periods.
#}

with

transactions as (

    select * from {{ ref('int_transactions_matched') }}

),

as_of_dates as (

    select
        as_of_date,
        lag(as_of_date) over (order by as_of_date) as previous_as_of_date

    from {{ ref('int_as_of_dates_windowed') }}

),

purchase_days as (

    select
        customer_id,
        transaction_date as purchase_date,
        sum(amount) as purchase_amount

    from transactions
    where amount > 0
    group by customer_id, transaction_date

),

-- purchase days after the last as-of date fall in no period and play no part
periods as (

    select
        purchase_days.customer_id,
        as_of_dates.as_of_date,
        count(*) as purchase_days,
        sum(purchase_days.purchase_amount) as purchase_amount,
        max(purchase_days.purchase_date) as last_purchase_date

    from purchase_days
    inner join as_of_dates
        on
        purchase_days.purchase_date <= as_of_dates.as_of_date
        and (
            as_of_dates.previous_as_of_date is null
            or purchase_days.purchase_date > as_of_dates.previous_as_of_date
        )
    group by purchase_days.customer_id, as_of_dates.as_of_date

),

first_purchase_dates as (

    select
        customer_id,
        min(purchase_date) as first_purchase_date

    from purchase_days
    group by customer_id

),

first_purchase_days as (

    select
        first_purchase_dates.customer_id,
        first_purchase_dates.first_purchase_date,
        purchase_days.purchase_amount as first_purchase_amount

    from first_purchase_dates
    inner join purchase_days
        on
        first_purchase_dates.customer_id = purchase_days.customer_id
        and first_purchase_dates.first_purchase_date = purchase_days.purchase_date

),

customer_dates as (

    select
        first_purchase_days.customer_id,
        as_of_dates.as_of_date,
        first_purchase_days.first_purchase_date,
        first_purchase_days.first_purchase_amount

    from first_purchase_days
    inner join as_of_dates
        on first_purchase_days.first_purchase_date <= as_of_dates.as_of_date

),

accumulated as (

    select
        customer_dates.customer_id,
        customer_dates.as_of_date,
        customer_dates.first_purchase_date,
        customer_dates.first_purchase_amount,
        sum(coalesce(periods.purchase_days, 0)) over (
            partition by customer_dates.customer_id
            order by customer_dates.as_of_date
            rows between unbounded preceding and current row
        ) as purchase_days,
        sum(coalesce(periods.purchase_amount, 0)) over (
            partition by customer_dates.customer_id
            order by customer_dates.as_of_date
            rows between unbounded preceding and current row
        ) as purchase_amount,
        max(periods.last_purchase_date) over (
            partition by customer_dates.customer_id
            order by customer_dates.as_of_date
            rows between unbounded preceding and current row
        ) as last_purchase_date

    from customer_dates
    left join periods
        on
        customer_dates.customer_id = periods.customer_id
        and customer_dates.as_of_date = periods.as_of_date

),

summarized as (

    select
        customer_id,
        as_of_date,
        first_purchase_date,
        last_purchase_date,
        purchase_days - 1 as frequency,
        purchase_amount - first_purchase_amount as repeat_purchase_amount

    from accumulated

),

final as (

    select
        customer_id,
        as_of_date,
        first_purchase_date,
        last_purchase_date,
        cast(frequency as integer) as frequency,
        {{ days_between('first_purchase_date', 'last_purchase_date') }} as recency,
        {{ days_between('first_purchase_date', 'as_of_date') }} as t,
        -- the mean value of the repeat purchase days, to the cent; none without a repeat purchase
        case
            when frequency > 0 then {{ rounded_ratio('repeat_purchase_amount', 'frequency') }}
        end as monetary_value

    from summarized

)

select * from final
