{#
    The usable behaviour events: typed, not rejected, one row per event_id (docs/rules/raw-input.md). Whether
    the customer is known is judged after staging (int_behavior_events_matched), so this reads the
    events file alone.
#}

with

base as (

    select * from {{ ref('base_behavior_events') }}

),

final as (

    select
        -- ids
        event_id,
        customer_id,
        product_id,
        session_id,

        -- strings
        event_type,
        event_category,
        product_category,
        device_type,
        browser,
        os,
        country,
        city,
        page_url,
        referrer_url,

        -- numerics
        event_value,

        -- timestamps
        occurred_at,
        cast(occurred_at as date) as event_date,

        -- lineage: the dbt run that staged the row (int_behavior_events_matched keeps what it has not restaged)
        staged_by

    from base
    where reject_reason is null
        and not is_duplicate

)

select * from final
