{#
    Every field the criteria of user-defined segments read (spec section 9), one row per as-of
    date of the run and customer: the columns of customer_segments, the segmentation API notes'
    fields, the customer's built-in segments, and the categories and products bought as lists.
    A segment's compiled predicate (int_user_segments_compiled) is evaluated on one row of this.
    DuckDB only, like the Python model that compiles the predicates (docs/decisions.md).

    customer_type, last_login, email_subscribed and purchased_products stay null / empty until the
    optional inputs of section 7 (those customer columns, preferences, product_id) are staged.
#}

{{ config(enabled=target.type == 'duckdb') }}

with

segmented as (

    select * from {{ ref('int_customers_segmented') }}

),

windowed as (

    select * from {{ ref('int_customers_windowed') }}

),

cataloged as (

    select * from {{ ref('int_customers_cataloged') }}

),

customers as (

    select * from {{ ref('stg_customers') }}

),

transactions as (

    select * from {{ ref('int_transactions_categorized') }}

),

-- the first positive transaction of each customer in each category: bought "on or before A" is then a date comparison
first_category_purchases as (

    select
        customer_id,
        lower(trim(merchant_category)) as category,
        min(transaction_date) as first_purchase_date

    from transactions
    where amount > 0
    group by customer_id, lower(trim(merchant_category))

),

categories_bought as (

    select
        segmented.as_of_date,
        segmented.customer_id,
        list(first_category_purchases.category order by first_category_purchases.category) as purchased_categories

    from segmented
    inner join first_category_purchases
        on segmented.customer_id = first_category_purchases.customer_id
        and segmented.as_of_date >= first_category_purchases.first_purchase_date
    group by segmented.as_of_date, segmented.customer_id

),

final as (

    select
        -- keys
        segmented.as_of_date,
        segmented.customer_id,

        -- customer_segments' columns
        segmented.customer_segment,
        segmented.segment_priority,
        segmented.spend_last_90_days,
        segmented.spend_prior_90_days,
        segmented.spend_change_pct,
        segmented.avg_monthly_spend,
        segmented.travel_spend_last_90_days,
        segmented.necessities_spend_last_90_days,
        segmented.travel_spend_pct,
        segmented.necessities_spend_pct,
        segmented.signup_date,
        segmented.tenure_months,
        segmented.lifetime_value,
        segmented.recency_days,
        segmented.frequency_365d,
        segmented.monetary_365d,
        segmented.r_score,
        segmented.f_score,
        segmented.m_score,
        segmented.rfm_score,

        -- the API notes' fields
        customers.country,
        customers.state,
        customers.city,
        windowed.total_orders,
        windowed.positive_spend / nullif(windowed.total_orders, 0) as average_order_value,
        windowed.last_purchase_date as last_order_date,
        cast(null as {{ dbt.type_string() }}) as customer_type,
        cast(null as date) as last_login_date,
        cast(null as boolean) as email_subscribed,
        coalesce(categories_bought.purchased_categories, []) as purchased_categories,
        cast([] as integer[]) as purchased_products,

        -- the customer's built-in segments
        cataloged.behavioral_segment_id,
        cataloged.rfm_segment_id,
        cataloged.lifecycle_segment_id,
        cataloged.value_segment_id,
        cataloged.engagement_segment_id,
        cataloged.age_segment_id,
        cataloged.gender_segment_id

    from segmented
    inner join windowed
        on segmented.customer_id = windowed.customer_id
        and segmented.as_of_date = windowed.as_of_date
    inner join customers
        on segmented.customer_id = customers.customer_id
    left join cataloged
        on segmented.customer_id = cataloged.customer_id
        and segmented.as_of_date = cataloged.as_of_date
    left join categories_bought
        on segmented.customer_id = categories_bought.customer_id
        and segmented.as_of_date = categories_bought.as_of_date

)

select * from final
