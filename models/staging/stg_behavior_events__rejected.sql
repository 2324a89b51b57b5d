{#
    Every behaviour event row rejected on its own text, with the reason; the usable rows of an
    unknown customer are rejected after staging (int_behavior_events_unmatched).
#}

with

base as (

    select * from {{ ref('base_behavior_events') }}

),

final as (

    select
        reject_reason,
        raw_event_id as event_id,
        raw_customer_id as customer_id,
        raw_event_type as event_type,
        raw_occurred_at as occurred_at,
        line_number,
        line_text

    from base
    where reject_reason is not null

)

select * from final
