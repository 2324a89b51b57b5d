{#
    Each customer's journey stage as of A (spec section 14): the current stay of the `journey`
    segment type of the catalog (macros/segment_types.sql), so the stage's history is in
    customer_segment_memberships and its moves in segment_migrations like any other type.
#}

{%- set a = as_of_windows() %}

with

members as (

    select * from {{ ref('segment_members') }}

),

final as (

    select
        customer_id,
        cast(segment_name as {{ dbt.type_string() }}) as current_stage,
        cast(joined_at as date) as stage_entered_at,
        cast({{ days_between('joined_at', date_literal(a.as_of)) }} as integer) as days_in_stage

    from members
    where segment_type = 'journey'

)

select * from final
