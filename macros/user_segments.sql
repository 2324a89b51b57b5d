{#
    The products a customer bought on or before `as_of_date`: int_customers_products_bought's list
    filtered to the date; an empty list without any. The one definition of the criteria's
    purchased_products, for the membership model and the preview's mart.
#}
{% macro purchased_products_as_of(first_purchases, as_of_date) -%}
    coalesce(
        list_transform(
            list_filter({{ first_purchases }}, lambda bought: bought.first_purchase_date <= {{ as_of_date }}),
            lambda bought: bought.product_id
        ),
        cast([] as bigint[])
    )
{%- endmacro %}
