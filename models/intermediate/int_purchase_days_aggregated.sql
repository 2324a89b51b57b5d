{#
    The buying occasions of the lifetime-value models (docs/lifetime-value.md): one row per customer and
    date with a positive transaction on or before the run's as-of date A, worth the sum of that day's
    positive amounts (refunds are not purchases and do not lower a day's value). Aggregated once here for
    the inputs as of each as-of date (int_customers_summarized) and as of each calibration end
    (int_customers_calibrated); a later day belongs to no date of the run.
#}

with

transactions as (

    select * from {{ ref('int_transactions_matched') }}

),

final as (

    select
        customer_id,
        transaction_date as purchase_date,
        sum(amount) as purchase_amount

    from transactions
    where
        amount > 0
        and transaction_date <= {{ date_literal(as_of_date()) }}
    group by customer_id, transaction_date

)

select * from final
