{#
    The lifetime-value inputs' running totals of purchase days (docs/lifetime-value.md), for a set of cut-off
    dates in one pass: each purchase day is counted once, in the period it falls in (after the previous
    cut-off, up to its own), and each cut-off's figures are running totals over the periods.

    Emits the CTEs `purchase_dates` … `summarized` of a `with` chain, to be followed by a comma. The chain must already
    define `purchase_days` (customer_id, purchase_date, purchase_amount: the day's positive amounts) and the CTE
    named by `cutoffs`, one row per cut-off date with the previous one (null for the first) in the columns named
    by `cutoff` and `previous_cutoff`. `summarized` has one row per customer and cut-off on or after the
    customer's first purchase day: customer_id, the cut-off (as `cutoff`), first_purchase_date,
    last_purchase_date, frequency (purchase days − 1) and repeat_purchase_amount (all but the first day's).
    Purchase days after the last cut-off fall in no period and play no part.
#}
{% macro purchase_day_summaries(cutoffs, cutoff, previous_cutoff) -%}

purchase_dates as (

    select distinct purchase_date from purchase_days

),

-- the period of each purchase date, which the purchase days then join on equality (macros/dates_in_periods.sql)
period_days as (

    {{ dates_in_periods('purchase_dates', 'purchase_date', cutoffs, cutoff, previous_cutoff) }}

),

periods as (

    select
        purchase_days.customer_id,
        period_days.{{ cutoff }},
        count(*) as purchase_days,
        sum(purchase_days.purchase_amount) as purchase_amount,
        max(purchase_days.purchase_date) as last_purchase_date

    from purchase_days
    inner join period_days
        on purchase_days.purchase_date = period_days.purchase_date
    group by purchase_days.customer_id, period_days.{{ cutoff }}

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
        {{ cutoffs }}.{{ cutoff }},
        first_purchase_days.first_purchase_date,
        first_purchase_days.first_purchase_amount

    from first_purchase_days
    inner join {{ cutoffs }}
        on first_purchase_days.first_purchase_date <= {{ cutoffs }}.{{ cutoff }}

),

accumulated as (

    select
        customer_dates.customer_id,
        customer_dates.{{ cutoff }},
        customer_dates.first_purchase_date,
        customer_dates.first_purchase_amount,
        sum(coalesce(periods.purchase_days, 0)) over (
            partition by customer_dates.customer_id
            order by customer_dates.{{ cutoff }}
            rows between unbounded preceding and current row
        ) as purchase_days,
        sum(coalesce(periods.purchase_amount, 0)) over (
            partition by customer_dates.customer_id
            order by customer_dates.{{ cutoff }}
            rows between unbounded preceding and current row
        ) as purchase_amount,
        max(periods.last_purchase_date) over (
            partition by customer_dates.customer_id
            order by customer_dates.{{ cutoff }}
            rows between unbounded preceding and current row
        ) as last_purchase_date

    from customer_dates
    left join periods
        on
        customer_dates.customer_id = periods.customer_id
        and customer_dates.{{ cutoff }} = periods.{{ cutoff }}

),

summarized as (

    select
        customer_id,
        {{ cutoff }},
        first_purchase_date,
        last_purchase_date,
        purchase_days - 1 as frequency,
        purchase_amount - first_purchase_amount as repeat_purchase_amount

    from accumulated

)

{%- endmacro %}
