{#
    The BG/NBD and Gamma-Gamma inputs (docs/rules/lifetime-value.md) per customer with a purchase, for every as-of
    date of the run, in days, from the purchase days of int_purchase_days_aggregated (a date with a
    positive amount, worth the sum of the day's positive amounts).

    One pass, not one per date (macros/purchase_days.sql): each purchase day is counted once, in the
    period it falls in (after the previous as-of date, up to its own), and each date's figures are
    running totals over the periods.
#}

with

purchase_days as (

    select * from {{ ref('int_purchase_days_aggregated') }}

),

as_of_dates as (

    select
        as_of_date,
        lag(as_of_date) over (order by as_of_date) as previous_as_of_date

    from {{ ref('int_as_of_dates_windowed') }}

),

{{ purchase_day_summaries('as_of_dates', 'as_of_date', 'previous_as_of_date') }},

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
