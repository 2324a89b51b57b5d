{#
    `ceil(5 * cume_dist())` is tie-safe: equal values share a cume_dist and so a score. It is
    also exact in floating point here: 5 * cume_dist() only lands on a whole number when
    cume_dist is k/5, and the doubles nearest 0.2, 0.4, 0.6, 0.8 times 5 round back to k.
#}

with

spend as (

    select * from {{ ref('int_customers_windowed') }}

),

measured as (

    select
        customer_id,
        as_of_date,
        cast(as_of_date - last_purchase_date as integer) as recency_days,
        frequency_365d,
        monetary_365d

    from spend

),

scored as (

    select
        *,
        -- worst first: the most days since a purchase, and no purchase at all worst of every
        cast(
            ceil(5 * cume_dist() over (partition by as_of_date order by recency_days desc nulls first)) as integer
        ) as r_score,
        cast(ceil(5 * cume_dist() over (partition by as_of_date order by frequency_365d)) as integer) as f_score,
        cast(ceil(5 * cume_dist() over (partition by as_of_date order by monetary_365d)) as integer) as m_score

    from measured

),

final as (

    select
        customer_id,
        as_of_date,
        recency_days,
        frequency_365d,
        monetary_365d,
        r_score,
        f_score,
        m_score,
        cast(r_score as {{ dbt.type_string() }})
        || cast(f_score as {{ dbt.type_string() }})
        || cast(m_score as {{ dbt.type_string() }}) as rfm_score

    from scored

)

select * from final
