{#
    Every field the criteria of user-defined segments read (docs/rules/user-segments.md), one row per as-of
    date of the run and customer: the columns of customer_segments, the segmentation API notes'
    fields, the customer's built-in segment of every type (a column per type of
    macros/segment_types.sql, so in_segment finds every built-in id), every column of
    customer_lifetime_value but its keys (null for a customer without a prediction, where a
    comparison is false), and the categories bought as a list.
    A segment's compiled predicate (int_user_segments_compiled) is evaluated on one row of this, with
    the products bought added from int_customers_products_bought where a predicate reads them
    (int_customers_user_segmented, segment_criteria_fields): a list per date of every product bought
    would be most of this table's size and build time.
    DuckDB only, like the Python model that compiles the predicates (docs/decisions.md).

    customer_type and last_login come from the optional customer columns (section 7), null where a
    delivery has none;
    email_subscribed: the newsletter subscription on the Email channel, and only where the customer may
    be emailed (customer_contactability, the one place consent is decided); as of the run, for every
    date, since preferences carry no history. False without a preference.
#}

{{ config(enabled=builds_duckdb_only_models()) }}

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

lifetime_value as (

    select * from {{ ref('customer_lifetime_value') }}

),

{#
    Categories are matched like the category map matches them (trimmed, case-insensitive), so the raw
    category, lower-cased, is the map's category lower-cased: no need to read the map here. Grouped by
    the raw text first (cheap on 13.5M rows), then by its lower-cased form (cheap on the few left).
#}
email_preferences as (

    select * from {{ ref('int_customer_preferences_matched') }}
    where channel = 'email'
        and superseded_at is null

),

email_contactability as (

    select * from {{ ref('customer_contactability') }}
    where channel = 'email'

),

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
        list(
            struct_pack(category := category, first_purchase_date := first_purchase_date) order by category
        ) as first_purchases

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

        -- the API notes' fields (purchased_products: see above)
        customers.country,
        customers.state,
        customers.city,
        windowed.total_orders,
        windowed.positive_spend / nullif(windowed.total_orders, 0) as average_order_value,
        windowed.last_purchase_date as last_order_date,
        customers.customer_type,
        cast(customers.last_login as date) as last_login_date,
        coalesce(email_preferences.newsletter_subscription and email_contactability.is_contactable, false)
            as email_subscribed,
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

        -- the customer's built-in segments, one column per type
        {%- for segment_type in builtin_segment_types() %}
        cataloged.{{ segment_type.column }},
        {%- endfor %}

        -- every lifetime-value column but the keys, whatever the mart gains (docs/segment-authors.md)
        lifetime_value.* exclude (customer_id, as_of_date) -- noqa: RF02

    from segmented
    inner join windowed
        on segmented.customer_id = windowed.customer_id
        and segmented.as_of_date = windowed.as_of_date
    inner join customers
        on segmented.customer_id = customers.customer_id
    left join cataloged
        on segmented.customer_id = cataloged.customer_id
        and segmented.as_of_date = cataloged.as_of_date
    left join lifetime_value
        on segmented.customer_id = lifetime_value.customer_id
        and segmented.as_of_date = lifetime_value.as_of_date
    left join customer_categories
        on segmented.customer_id = customer_categories.customer_id
    left join email_preferences
        on segmented.customer_id = email_preferences.customer_id
    left join email_contactability
        on segmented.customer_id = email_contactability.customer_id

)

select * from final -- noqa: AM04
