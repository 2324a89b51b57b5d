{#
    Every row of customer_lifetime_value against its date's fits in clv_model_fits (docs/lifetime-value.md,
    "When a fit is not ok"): a BG/NBD fit that is not ok leaves probability_alive, churn_probability, the
    expected purchases and their interval, the predicted values, risk_score and growth_potential null; a
    Gamma-Gamma fit that is not ok leaves expected_avg_order_value, the predicted values and confidence_score
    null; a fit that is ok gives every customer with a purchase its figures; and model_status is `ok` exactly
    when both are. One row per date and broken rule, with the customers breaking it.
#}
{{ config(enabled=target.type == 'duckdb') }}

with

customers as (

    select * from {{ ref('customer_lifetime_value') }}

),

fits as (

    select * from {{ ref('clv_model_fits') }}

),

checked as (

    select
        customers.as_of_date,
        case
            when (fits.bg_nbd_status = 'ok' and fits.gamma_gamma_status = 'ok') <> (customers.model_status = 'ok')
                then 'model_status is ok exactly when both fits are'
            when fits.bg_nbd_status <> 'ok' and coalesce(
                    customers.probability_alive,
                    customers.churn_probability,
                    customers.expected_purchases_365d,
                    customers.expected_purchases_365d_low,
                    customers.expected_purchases_365d_high,
                    customers.predicted_ltv_1year,
                    customers.predicted_ltv_1year_low,
                    customers.predicted_ltv_1year_high,
                    customers.predicted_ltv_3year,
                    customers.predicted_ltv_5year,
                    customers.risk_score
                ) is not null or (fits.bg_nbd_status <> 'ok' and customers.growth_potential is not null)
                then 'a BG/NBD fit that is not ok predicts nothing'
            when fits.gamma_gamma_status <> 'ok' and coalesce(
                    customers.expected_avg_order_value,
                    customers.confidence_score,
                    customers.predicted_ltv_1year,
                    customers.predicted_ltv_1year_low,
                    customers.predicted_ltv_1year_high,
                    customers.predicted_ltv_3year,
                    customers.predicted_ltv_5year
                ) is not null
                then 'a Gamma-Gamma fit that is not ok predicts nothing'
            when fits.bg_nbd_status = 'ok' and customers.frequency is not null and (
                    customers.probability_alive is null or customers.churn_probability is null
                    or customers.expected_purchases_365d is null or customers.expected_purchases_365d_low is null
                    or customers.risk_score is null
                )
                then 'an ok BG/NBD fit predicts for every customer with a purchase'
            when fits.gamma_gamma_status = 'ok' and customers.frequency is not null and (
                    customers.expected_avg_order_value is null or customers.confidence_score is null
                )
                then 'an ok Gamma-Gamma fit predicts for every customer with a purchase'
        end as broken_rule

    from customers
    inner join fits
        on customers.as_of_date = fits.as_of_date

),

final as (

    select
        as_of_date,
        broken_rule,
        count(*) as customers

    from checked
    where broken_rule is not null
    group by as_of_date, broken_rule

)

select * from final
