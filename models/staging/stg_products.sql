with

base as (

    select * from {{ ref('base_products') }}

),

final as (

    select
        -- ids
        product_id,

        -- strings
        product_name,
        product_category,

        -- numerics
        price

    from base
    where reject_reason is null
        and not is_duplicate

)

select * from final
