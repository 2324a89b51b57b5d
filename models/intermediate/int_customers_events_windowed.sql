{#
    What the journey stages of docs/rules/behaviour.md read, per customer and as-of date D of the run:
    how many days they bought on up to D (0, 1, or 2 meaning two or more: the rules need no more),
    and whether they had a review or share, an add-to-cart, a product view or wishlist in the
    windows before D. A window of N days is the N days up to D and D - N itself, as the 90-day
    spend windows are (macros/as_of.sql). The purchase days are int_customers_summarized's (its
    frequency is purchase days - 1; no row there means none), so no transaction is read again.
#}

{%- set advocacy_days = var('journey_advocacy_days') | int %}
{%- set decision_days = var('journey_decision_days') | int %}
{%- set consideration_days = var('journey_consideration_days') | int %}

with

customers as (

    select * from {{ ref('int_customers_tenured') }}

),

summarized as (

    select * from {{ ref('int_customers_summarized') }}

),

events as (

    select * from {{ ref('int_behavior_events_matched') }}

),

journey_events as (

    select
        customer_id,
        event_type,
        event_date

    from events
    where event_type in ('review', 'share', 'add_to_cart', 'product_view', 'wishlist')

),

event_flags as (

    select
        customers.customer_id,
        customers.as_of_date,
        max(
            case
                when journey_events.event_type in ('review', 'share')
                    and journey_events.event_date >= {{ dbt.dateadd('day', -advocacy_days, 'customers.as_of_date') }}
                    then 1
                else 0
            end
        ) as has_review_or_share,
        max(
            case
                when journey_events.event_type = 'add_to_cart'
                    and journey_events.event_date >= {{ dbt.dateadd('day', -decision_days, 'customers.as_of_date') }}
                    then 1
                else 0
            end
        ) as has_add_to_cart,
        max(
            case
                when journey_events.event_type in ('product_view', 'wishlist')
                    and journey_events.event_date
                    >= {{ dbt.dateadd('day', -consideration_days, 'customers.as_of_date') }}
                    then 1
                else 0
            end
        ) as has_product_view_or_wishlist

    from customers
    inner join journey_events
        on customers.customer_id = journey_events.customer_id
        and customers.as_of_date >= journey_events.event_date
        and {{ dbt.dateadd(
            'day', -([advocacy_days, decision_days, consideration_days] | max), 'customers.as_of_date'
        ) }} <= journey_events.event_date
    group by customers.customer_id, customers.as_of_date

),

final as (

    select
        customers.customer_id,
        customers.as_of_date,
        cast(
            case
                when summarized.frequency >= 1 then 2
                when summarized.frequency = 0 then 1
                else 0
            end as integer
        ) as purchase_days,
        coalesce(event_flags.has_review_or_share, 0) = 1 as has_review_or_share,
        coalesce(event_flags.has_add_to_cart, 0) = 1 as has_add_to_cart,
        coalesce(event_flags.has_product_view_or_wishlist, 0) = 1 as has_product_view_or_wishlist

    from customers
    left join summarized
        on customers.customer_id = summarized.customer_id
        and customers.as_of_date = summarized.as_of_date
    left join event_flags
        on customers.customer_id = event_flags.customer_id
        and customers.as_of_date = event_flags.as_of_date

)

select * from final
