{#
    One row per customer of the run as of A (docs/rules/behaviour.md): their events, purchases and
    preferences. Events and transactions dated after A play no part. A customer without events or
    purchases has zeros and nulls, never a missing row.
#}

{%- set a = as_of_windows() %}

with

customers as (

    select * from {{ ref('int_customers_windowed') }}

),

summarized as (

    select * from {{ ref('int_customers_summarized') }}

),

transactions as (

    select * from {{ ref('int_transactions_categorized') }}

),

events as (

    select * from {{ ref('int_behavior_events_matched') }}

),

-- every customer of A, with their positive transactions' count and sum up to A
customers_at_a as (

    select
        customer_id,
        total_orders as total_purchases,
        positive_spend as total_spent

    from customers
    where as_of_date = {{ date_literal(a.as_of) }}

),

-- purchase days (frequency + 1) and their first and last, for customers with a purchase up to A
purchase_days as (

    select
        customer_id,
        first_purchase_date,
        last_purchase_date,
        frequency + 1 as purchase_days

    from summarized
    where as_of_date = {{ date_literal(a.as_of) }}

),

-- most positive spend in the trailing 365 days, ties by name
category_spend as (

    select
        customer_id,
        merchant_category,
        sum(amount) as spend

    from transactions
    where amount > 0
        and transaction_date between {{ date_literal(a.year_start) }} and {{ date_literal(a.as_of) }}
        and merchant_category is not null
    group by customer_id, merchant_category

),

preferred_categories as (

    select
        customer_id,
        merchant_category as preferred_category

    from (
        select
            customer_id,
            merchant_category,
            row_number() over (partition by customer_id order by spend desc, merchant_category asc) as preference
        from category_spend
    ) as ranked
    where preference = 1

),

events_to_a as (

    select
        customer_id,
        event_type,
        device_type,
        event_category

    from events
    where event_date <= {{ date_literal(a.as_of) }}

),

event_totals as (

    select
        customer_id,
        count(*) as total_events,
        count(case when event_type = 'page_view' then 1 end) as total_page_views,
        count(case when event_type = 'product_view' then 1 end) as total_product_views,
        count(case when event_type = 'add_to_cart' then 1 end) as total_add_to_cart

    from events_to_a
    group by customer_id

),

-- most frequent device and source, ties by name
device_counts as (

    select
        customer_id,
        device_type,
        count(*) as events

    from events_to_a
    where device_type is not null
    group by customer_id, device_type

),

preferred_devices as (

    select
        customer_id,
        device_type as preferred_device

    from (
        select
            customer_id,
            device_type,
            row_number() over (partition by customer_id order by events desc, device_type asc) as preference
        from device_counts
    ) as ranked
    where preference = 1

),

source_counts as (

    select
        customer_id,
        event_category,
        count(*) as events

    from events_to_a
    where event_category is not null
    group by customer_id, event_category

),

preferred_sources as (

    select
        customer_id,
        event_category as preferred_source

    from (
        select
            customer_id,
            event_category,
            row_number() over (partition by customer_id order by events desc, event_category asc) as preference
        from source_counts
    ) as ranked
    where preference = 1

),

final as (

    select
        customers_at_a.customer_id,
        cast(coalesce(event_totals.total_events, 0) as bigint) as total_events,
        cast(coalesce(event_totals.total_page_views, 0) as bigint) as total_page_views,
        cast(coalesce(event_totals.total_product_views, 0) as bigint) as total_product_views,
        cast(coalesce(event_totals.total_add_to_cart, 0) as bigint) as total_add_to_cart,
        cast(customers_at_a.total_purchases as bigint) as total_purchases,
        cast(customers_at_a.total_spent as decimal(18, 2)) as total_spent,
        case
            when customers_at_a.total_purchases > 0
                then {{ rounded_ratio('customers_at_a.total_spent', 'customers_at_a.total_purchases') }}
        end as avg_order_value,
        cast(purchase_days.first_purchase_date as date) as first_purchase_date,
        cast(purchase_days.last_purchase_date as date) as last_purchase_date,
        cast(
            {{ days_between('purchase_days.last_purchase_date', date_literal(a.as_of)) }} as integer
        ) as days_since_purchase,
        case
            when purchase_days.purchase_days > 1
                then {{ rounded_ratio(
                    days_between('purchase_days.first_purchase_date', 'purchase_days.last_purchase_date'),
                    'purchase_days.purchase_days - 1',
                ) }}
        end as purchase_frequency_days,
        cast(preferred_categories.preferred_category as {{ dbt.type_string() }}) as preferred_category,
        cast(preferred_devices.preferred_device as {{ dbt.type_string() }}) as preferred_device,
        cast(preferred_sources.preferred_source as {{ dbt.type_string() }}) as preferred_source

    from customers_at_a
    left join purchase_days
        on customers_at_a.customer_id = purchase_days.customer_id
    left join preferred_categories
        on customers_at_a.customer_id = preferred_categories.customer_id
    left join event_totals
        on customers_at_a.customer_id = event_totals.customer_id
    left join preferred_devices
        on customers_at_a.customer_id = preferred_devices.customer_id
    left join preferred_sources
        on customers_at_a.customer_id = preferred_sources.customer_id

)

select * from final
