{#
    The run's date is the latest the intermediate models computed (backfill month-ends all come
    before it). Reading it from the data rather than the var keeps the mart consistent with its
    inputs when it is rebuilt alone (`dbt run --select customer_segments`).
#}

with

computed as (

    select * from {{ ref('int_customers_segmented') }}

),

latest as (

    select max(as_of_date) as as_of_date from computed

),

segmented as (

    select computed.*
    from computed
    inner join latest
        on computed.as_of_date = latest.as_of_date

),

current_customer_versions as (

    select * from {{ ref('dim_customer') }}
    where is_current

),

final as (

    select
        -- keys
        segmented.customer_id,
        current_customer_versions.customer_key,

        -- segment
        segmented.customer_segment,
        segmented.segment_priority,
        segmented.as_of_date,

        -- spend windows
        segmented.spend_last_90_days,
        segmented.spend_prior_90_days,
        segmented.spend_change_pct,
        segmented.avg_monthly_spend,
        segmented.travel_spend_last_90_days,
        segmented.necessities_spend_last_90_days,
        segmented.travel_spend_pct,
        segmented.necessities_spend_pct,

        -- tenure and value
        segmented.signup_date,
        segmented.tenure_months,
        segmented.lifetime_value,

        -- rfm
        segmented.recency_days,
        segmented.frequency_365d,
        segmented.monetary_365d,
        segmented.r_score,
        segmented.f_score,
        segmented.m_score,
        segmented.rfm_score

    from segmented
    left join current_customer_versions
        on segmented.customer_id = current_customer_versions.customer_id

)

select * from final
