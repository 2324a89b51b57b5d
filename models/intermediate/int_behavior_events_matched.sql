{#
    The usable behaviour events of a known customer (docs/rules/raw-input.md): staging's clean events whose
    customer_id is a clean customer. A table: the journeys, the behaviour summary and the daily
    performance all read it.
#}

with

events as (

    select * from {{ ref('stg_behavior_events') }}

),

customers as (

    select * from {{ ref('stg_customers') }}

),

final as (

    select
        events.event_id,
        events.customer_id,
        events.product_id,
        events.session_id,
        events.event_type,
        events.event_category,
        events.product_category,
        events.device_type,
        events.browser,
        events.os,
        events.country,
        events.city,
        events.page_url,
        events.referrer_url,
        events.event_value,
        events.occurred_at,
        events.event_date

    from events
    inner join customers
        on events.customer_id = customers.customer_id

)

select * from final
