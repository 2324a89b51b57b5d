with

base as (

    select * from {{ ref('base_products') }}

),

final as (

    select
        reject_reason,
        raw_product_id as product_id,
        raw_product_name as product_name,
        raw_product_category as product_category,
        raw_price as price,
        line_number,
        line_text

    from base
    where reject_reason is not null

)

select * from final
