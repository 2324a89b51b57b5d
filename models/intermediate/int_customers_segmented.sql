{#
    Rules are decided on the exact amounts (macros/segment_rules.sql); the percentages and the
    monthly average are rounded to 2 decimals for reading only.
#}

with

customers as (

    select * from {{ ref('int_customers_tenured') }}

),

spend as (

    select * from {{ ref('int_customers_windowed') }}

),

rfm as (

    select * from {{ ref('int_customers_scored_rfm') }}

),

joined as (

    select
        customers.customer_id,
        customers.as_of_date,
        customers.signup_date,
        customers.tenure_months,
        spend.spend_last_90_days,
        spend.spend_prior_90_days,
        spend.travel_spend_last_90_days,
        spend.necessities_spend_last_90_days,
        spend.lifetime_value,
        rfm.recency_days,
        rfm.frequency_365d,
        rfm.monetary_365d,
        rfm.r_score,
        rfm.f_score,
        rfm.m_score,
        rfm.rfm_score

    from customers
    inner join spend
        on customers.customer_id = spend.customer_id
        and customers.as_of_date = spend.as_of_date
    inner join rfm
        on customers.customer_id = rfm.customer_id
        and customers.as_of_date = rfm.as_of_date

),

final as (

    select
        -- keys
        customer_id,
        as_of_date,

        -- segment
        {{ segment_case('name') }} as customer_segment,
        {{ segment_case('priority') }} as segment_priority,

        -- spend windows
        spend_last_90_days,
        spend_prior_90_days,
        case
            when spend_prior_90_days <> 0
                then {{ rounded_ratio('spend_last_90_days - spend_prior_90_days', 'spend_prior_90_days', 100) }}
        end as spend_change_pct,
        {{ rounded_ratio('spend_last_90_days', 3) }} as avg_monthly_spend,
        travel_spend_last_90_days,
        necessities_spend_last_90_days,
        case
            when spend_last_90_days > 0
                then {{ rounded_ratio('travel_spend_last_90_days', 'spend_last_90_days', 100) }}
        end as travel_spend_pct,
        case
            when spend_last_90_days > 0
                then {{ rounded_ratio('necessities_spend_last_90_days', 'spend_last_90_days', 100) }}
        end as necessities_spend_pct,

        -- tenure and value
        signup_date,
        tenure_months,
        lifetime_value,

        -- rfm
        recency_days,
        frequency_365d,
        monetary_365d,
        r_score,
        f_score,
        m_score,
        rfm_score

    from joined

)

select * from final
