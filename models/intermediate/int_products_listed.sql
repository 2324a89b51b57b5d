{#
    The products of the optional products file as the marts read them: staging's clean rows, one per
    product_id. A product names no customer, so no check is added here; the view keeps the marts
    reading the intermediate layer only (docs/architecture.md). Empty without a products file.
#}

{{ config(materialized='view') }}

with

products as (

    select * from {{ ref('stg_products') }}

),

final as (

    select
        product_id,
        product_name,
        product_category,
        price

    from products

)

select * from final
