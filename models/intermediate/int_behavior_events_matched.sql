{#
    The usable behaviour events of a known customer (docs/rules/raw-input.md): staging's clean events whose
    customer_id is a clean customer. A table: the journeys, the behaviour summary and the daily performance all
    read it.

    Incremental, as its staging is: a month adds a month of events. A kept row is still right as long as
    staging still has its event as the same staged row (`staged_by`, the dbt run that staged it) and its
    customer is still known, since the row holds the event's columns alone. The pre-hook deletes every other
    row; the run then adds the usable events of known customers that the table lacks: the new and restaged
    events, and those of customers who have become known. So it equals a full build, whatever earlier runs
    selected.
#}

{{ config(
    materialized=incremental_staging_materialization(),
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ delete_changed_matched_events() }}",
) }}

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
        events.event_date,
        events.staged_by

    from events
    inner join customers
        on events.customer_id = customers.customer_id
    {% if is_incremental() -%}
    where not exists (
        select 1 from {{ this }} as kept
        where kept.event_id = events.event_id
    )
    {%- endif %}

)

select * from final
