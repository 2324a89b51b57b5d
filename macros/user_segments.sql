{#
    The products each customer bought on or before each date of `as_of_dates` (a relation or CTE with an
    as_of_date column): one row per date and customer with at least one, purchased_products listing the
    product ids in ascending order, from int_customers_products_bought's rows (`products_bought`). A
    customer without a row has bought none by that date: readers coalesce to no_products(). `wanted`
    false gives no rows (a reader whose definitions read no products). The one definition of the
    criteria's purchased_products, for the membership model and the preview's mart.
#}
{% macro purchased_products_by_date(products_bought, as_of_dates, wanted=true) -%}
    select
        {{ as_of_dates }}.as_of_date,
        {{ products_bought }}.customer_id,
        -- a customer's product ids are distinct, so sorting the list is ordering it by product id, without
        -- an ordered aggregate's per-group buffers
        list_sort(list({{ products_bought }}.product_id)) as purchased_products

    from {{ products_bought }}
    inner join {{ as_of_dates }}
        on
        {{ products_bought }}.first_purchase_date <= {{ as_of_dates }}.as_of_date
        {%- if not wanted %}
        and false
        {%- endif %}
    group by {{ as_of_dates }}.as_of_date, {{ products_bought }}.customer_id
{%- endmacro %}

{#- No products: the criteria's purchased_products of a customer without any by the date. -#}
{% macro no_products() -%}
    cast([] as bigint[])
{%- endmacro %}
