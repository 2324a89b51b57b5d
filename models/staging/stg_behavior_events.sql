{#
    The usable behaviour events: typed, not rejected, one row per event_id, of a known customer
    (spec section 7). A table: the behaviour summary, the journeys and the daily performance all
    read it.
#}

{{ config(materialized='table') }}

with

base as (

    select * from {{ ref('base_behavior_events') }}

),

customers as (

    select * from {{ ref('stg_customers') }}

),

final as (

    select
        -- ids
        base.event_id,
        base.customer_id,
        base.product_id,
        base.session_id,

        -- strings
        base.event_type,
        base.event_category,
        base.product_category,
        base.device_type,
        base.browser,
        base.os,
        base.country,
        base.city,
        base.page_url,
        base.referrer_url,

        -- numerics
        base.event_value,

        -- timestamps
        base.occurred_at,
        cast(base.occurred_at as date) as event_date

    from base
    inner join customers
        on base.customer_id = customers.customer_id
    where base.reject_reason is null
        and not base.is_duplicate

)

select * from final
