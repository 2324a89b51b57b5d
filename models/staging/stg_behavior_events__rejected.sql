{#
    Every behaviour event row that is not used, with the reason: staging's rejects on the row's
    own text, then the usable rows of a customer who is not a known one.
#}

with

base as (

    select * from {{ ref('base_behavior_events') }}

),

customers as (

    select * from {{ ref('stg_customers') }}

),

rejected as (

    select
        reject_reason,
        raw_event_id,
        raw_customer_id,
        raw_event_type,
        raw_occurred_at,
        line_number,
        line_text

    from base
    where reject_reason is not null

),

unknown_customer as (

    select
        'customer_id is not a known customer' as reject_reason,
        base.raw_event_id,
        base.raw_customer_id,
        base.raw_event_type,
        base.raw_occurred_at,
        base.line_number,
        base.line_text

    from base
    left join customers
        on base.customer_id = customers.customer_id
    where base.reject_reason is null
        and not base.is_duplicate
        and customers.customer_id is null

),

unioned as (

    select * from rejected
    union all
    select * from unknown_customer

),

final as (

    select
        cast(reject_reason as {{ dbt.type_string() }}) as reject_reason,
        raw_event_id as event_id,
        raw_customer_id as customer_id,
        raw_event_type as event_type,
        raw_occurred_at as occurred_at,
        line_number,
        line_text

    from unioned

)

select * from final
