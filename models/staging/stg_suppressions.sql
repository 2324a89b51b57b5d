with

base as (

    select * from {{ ref('base_suppressions') }}

),

final as (

    select
        -- ids
        customer_id,

        -- strings
        suppression_reason,

        -- timestamps
        added_at

    from base
    where reject_reason is null
        and not is_duplicate

)

select * from final
