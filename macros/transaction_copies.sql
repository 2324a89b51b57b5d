{#
    The order in which copies of one transaction_id compete: the first is kept. By content, not
    file order, so a rebuild from the same file always keeps the same row; copies equal in every
    column are the same transaction, and any of them is the kept one. `relation` names the CTE
    or alias the columns belong to.
#}
{% macro transaction_copy_order(relation) -%}
    {{ relation }}.transaction_date,
    {{ relation }}.amount,
    {{ relation }}.customer_id,
    {{ relation }}.merchant_category nulls first,
    {{ relation }}.product_id nulls first
{%- endmacro %}
