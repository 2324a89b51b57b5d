{#
    Recency, frequency and monetary value over the trailing year, scored 1-5 (5 best) among all
    customers of the run. `ceil(5 * cume_dist())` is tie-safe: equal values share a cume_dist and
    so a score. It is also exact in floating point here: 5 * cume_dist() only lands on a whole
    number when cume_dist is k/5, and the doubles nearest 0.2, 0.4, 0.6, 0.8 times 5 round back to k.
#}

{%- set a = as_of_windows() %}

with

spend as (

    select * from {{ ref('int_customer_spend_windows') }}

),

measured as (

    select
        customer_id,
        cast({{ date_literal(a.as_of) }} - last_purchase_date as integer) as recency_days,
        frequency_365d,
        monetary_365d

    from spend

),

scored as (

    select
        *,
        -- worst first: the most days since a purchase, and no purchase at all worst of every
        cast(ceil(5 * cume_dist() over (order by recency_days desc nulls first)) as integer) as r_score,
        cast(ceil(5 * cume_dist() over (order by frequency_365d)) as integer) as f_score,
        cast(ceil(5 * cume_dist() over (order by monetary_365d)) as integer) as m_score

    from measured

),

final as (

    select
        customer_id,
        recency_days,
        frequency_365d,
        monetary_365d,
        r_score,
        f_score,
        m_score,
        cast(r_score as varchar) || cast(f_score as varchar) || cast(m_score as varchar) as rfm_score

    from scored

)

select * from final
