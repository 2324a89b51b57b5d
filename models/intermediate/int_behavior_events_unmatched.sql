{#
    The behaviour events staging kept whose customer is not a known one, rejected with that reason
    and their raw text, in the columns of stg_behavior_events__rejected. Staging removed the other
    copies of a repeated event_id before this check, so they stay duplicates.
#}

with

events as (

    select * from {{ ref('base_behavior_events') }}

),

customers as (

    select * from {{ ref('stg_customers') }}

),

final as (

    select
        cast('customer_id is not a known customer' as {{ dbt.type_string() }}) as reject_reason,
        events.raw_event_id as event_id,
        events.raw_customer_id as customer_id,
        events.raw_event_type as event_type,
        events.raw_occurred_at as occurred_at,
        events.line_number,
        events.line_text

    from events
    left join customers
        on events.customer_id = customers.customer_id
    where events.reject_reason is null
        and not events.is_duplicate
        and customers.customer_id is null

)

select * from final
