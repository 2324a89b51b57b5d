{#
    Every field the criteria of user-defined segments read (spec section 9), one row per as-of
    date of the run and customer: the columns of customer_segments, the segmentation API notes'
    fields, the customer's built-in segments, and the categories and products bought as lists.
    A segment's compiled predicate (int_user_segments_compiled) is evaluated on one row of this.
    DuckDB only, like the Python model that compiles the predicates (docs/decisions.md).

    customer_type and last_login come from the optional customer columns and purchased_products from the
    optional product_id on transactions (section 7), null / empty where a delivery has none;
    email_subscribed stays null until customer preferences are staged.
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

    select * from {{ ref('int_transactions_matched') }}

),

{#
    Categories are matched like the category map matches them (trimmed, case-insensitive), so the raw
    category, lower-cased, is the map's category lower-cased: no need to read the map here. Grouped by
    the raw text first (cheap on 13.5M rows), then by its lower-cased form (cheap on the few left).
#}
first_purchases_by_spelling as (

    select
        customer_id,
        merchant_category,
        min(transaction_date) as first_purchase_date

    from transactions
    where amount > 0
    group by customer_id, merchant_category

),

-- each customer's categories with the date of their first positive transaction in it, as one list
customer_categories as (

    select
        customer_id,
        list(struct_pack(category := category, first_purchase_date := first_purchase_date)) as first_purchases

    from (
        select
            customer_id,
            lower(trim(merchant_category)) as category,
            min(first_purchase_date) as first_purchase_date

        from first_purchases_by_spelling
        group by customer_id, lower(trim(merchant_category))
    ) as by_category
    group by customer_id

),

-- products, like categories: the first positive transaction of each product, filtered per as-of date below
customer_products as (

    select
        customer_id,
        list(struct_pack(product_id := product_id, first_purchase_date := first_purchase_date)) as first_purchases

    from (
        select
            customer_id,
            product_id,
            min(transaction_date) as first_purchase_date

        from transactions
        where amount > 0
            and product_id is not null
        group by customer_id, product_id
    ) as by_product
    group by customer_id

),

products_bought as (

    select
        segmented.as_of_date,
        segmented.customer_id,
        list_transform(
            list_filter(
                customer_products.first_purchases,
                lambda bought: bought.first_purchase_date <= segmented.as_of_date -- noqa: RF01
            ),
            lambda bought: bought.product_id -- noqa: RF01
        ) as purchased_products

    from segmented
    inner join customer_products
        on segmented.customer_id = customer_products.customer_id

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
        customers.customer_type,
        cast(customers.last_login as date) as last_login_date,
        cast(null as boolean) as email_subscribed,
        -- bought on or before the date: the categories whose first purchase is not after it
        coalesce(
            list_transform(
                list_filter(
                    customer_categories.first_purchases,
                    lambda bought: bought.first_purchase_date <= segmented.as_of_date -- noqa: RF01
                ),
                lambda bought: bought.category -- noqa: RF01
            ),
            []
        ) as purchased_categories,
        coalesce(products_bought.purchased_products, cast([] as bigint[])) as purchased_products,

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
    left join customer_categories
        on segmented.customer_id = customer_categories.customer_id
    left join products_bought
        on segmented.customer_id = products_bought.customer_id
        and segmented.as_of_date = products_bought.as_of_date

)

select * from final
