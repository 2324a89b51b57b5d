{#
    The pre-hook of the incremental base_transactions: before a run stages the new part of the
    raw file, it deletes the rows that are not settled, so they are staged again from the file.

    A row is settled when it has a transaction date on or before the as-of date of the run that
    staged it (`loaded_as_of`). The rest (rows dated after it, and rows whose date is missing or
    unparseable) may still change. A settled row's verdict depends only on its own text, except
    whether its customer is known: when a customer has arrived for a settled orphan, or gone
    from under a settled clean row, every row is deleted and the run stages the whole file, as
    a full refresh would.
#}
{% macro delete_unsettled_transactions() -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where transaction_date is null
            or transaction_date > loaded_as_of
            or exists (
                select 1
                from {{ this }} as staged
                left join {{ ref('stg_customers') }} as customers
                    on staged.customer_id = customers.customer_id
                where (staged.reject_reason is null and customers.customer_id is null)
                    or (staged.reject_reason = '{{ unknown_customer_reason() }}' and customers.customer_id is not null)
            )
    {%- endif -%}
{%- endmacro %}


{# The reject reason of a transaction whose customer_id is not a clean customer. #}
{% macro unknown_customer_reason() -%}
    customer_id is not a known customer
{%- endmacro %}
