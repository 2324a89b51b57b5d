{#
    Each customer's journey stage as of A (docs/rules/behaviour.md): the stay of the `journey` segment type
    of the catalog (macros/segment_types.sql) that covers A, so the stage's history is in
    customer_segment_memberships and its moves in segment_migrations like any other type. The stay
    covering A, not the latest one: a month re-run after later months were recorded describes that
    month, as customer_behavior_summary does.
#}

{%- set a = as_of_windows() %}

with

memberships as (

    select * from {{ ref('customer_segment_memberships') }}

),

final as (

    select
        customer_id,
        cast(segment_name as {{ dbt.type_string() }}) as current_stage,
        cast(joined_at as date) as stage_entered_at,
        cast({{ days_between('joined_at', date_literal(a.as_of)) }} as integer) as days_in_stage

    from memberships
    where segment_type = 'journey'
        and joined_at <= {{ date_literal(a.as_of) }}
        and (left_at is null or left_at > {{ date_literal(a.as_of) }})

)

select * from final
