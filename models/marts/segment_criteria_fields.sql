{#
    int_customers_featured as of the run's date A: what the segment preview command
    (`python -m segmentation.segments`) evaluates a definition on in the published warehouse,
    read-only and without a build. DuckDB only, like the user-defined segments it serves.
#}

{{ config(enabled=builds_duckdb_only_models()) }}

with

featured as (

    select * from {{ ref('int_customers_featured') }}

),

products_bought as (

    select * from {{ ref('int_customers_products_bought') }}

),

latest as (

    select max(as_of_date) as as_of_date from featured

),

products_as_of as (

    {{ purchased_products_by_date('products_bought', 'latest') }}

),

final as (

    select
        featured.*, -- every field of int_customers_featured, as it is
        coalesce(products_as_of.purchased_products, {{ no_products() }}) as purchased_products

    from featured
    inner join latest
        on featured.as_of_date = latest.as_of_date
    left join products_as_of
        on featured.customer_id = products_as_of.customer_id

)

select * from final -- noqa: AM04
