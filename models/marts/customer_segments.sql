{#
    One row per customer as of the as-of date: the spend metrics, RFM scores, and the one
    behavioural segment whose rule holds first (macros/segment_rules.sql). Rules are decided
    on the exact amounts; the percentages shown are rounded to 2 decimals for reading.
#}

{%- set a = as_of_windows() %}

with

customers as (

    select * from {{ ref('int_customer_tenure') }}

),

spend as (

    select * from {{ ref('int_customer_spend_windows') }}

),

rfm as (

    select * from {{ ref('int_customer_rfm') }}

),

current_customer_versions as (

    select * from {{ ref('dim_customer') }}
    where is_current

),

joined as (

    select
        customers.customer_id,
        current_customer_versions.customer_key,
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
    inner join rfm
        on customers.customer_id = rfm.customer_id
    left join current_customer_versions
        on customers.customer_id = current_customer_versions.customer_id

),

final as (

    select
        -- keys
        customer_id,
        customer_key,

        -- segment
        {{ segment_case('name') }} as customer_segment,
        {{ segment_case('priority') }} as segment_priority,
        {{ date_literal(a.as_of) }} as as_of_date,

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
