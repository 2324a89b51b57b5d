{#- The design notes' product table; empty when no products file was delivered. -#}

with

products as (

    select * from {{ ref('int_products_listed') }}

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
