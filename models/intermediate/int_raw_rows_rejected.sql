{#-
    Every rejected raw row of the customers, transactions and optional consent, campaign and
    behaviour files, one table: staging's rejects on the row's own text, then the rows of a customer
    who is not a known one (the int_<entity>_unmatched models), each with its entity, reason, raw
    customer_id and line (number and text, set for a malformed line). A transaction row keeps its
    raw values; a transaction of an unknown customer its values as staged, as text
    (int_transactions_unmatched). rejected_rows publishes it without the fields that may be
    personal. The products file's rejects are counted in data_quality_report, not listed here.
-#}

with

rejected_customers as (

    select * from {{ ref('stg_customers__rejected') }}

),

rejected_transactions as (

    select * from {{ ref('stg_transactions__rejected') }}

),

unmatched_transactions as (

    select * from {{ ref('int_transactions_unmatched') }}

),

{%- set optional_files = ['customer_preferences', 'suppressions', 'campaign_deliveries', 'behavior_events'] %}

-- The optional consent, campaign and behaviour files (docs/rules/raw-input.md): the raw customer_id and the line.
optional_file_rows as (
    {%- for entity in optional_files %}

    select
        '{{ entity }}' as entity,
        reject_reason,
        customer_id,
        line_number,
        line_text
    from {{ ref('stg_' ~ entity ~ '__rejected') }}

    union all

    select
        '{{ entity }}' as entity,
        reject_reason,
        customer_id,
        line_number,
        line_text
    from {{ ref('int_' ~ entity ~ '_unmatched') }}
    {%- if not loop.last %}

    union all
    {%- endif %}
    {%- endfor %}

),

customer_rows as (

    select
        cast('customers' as {{ dbt.type_string() }}) as entity,
        cast(reject_reason as {{ dbt.type_string() }}) as reject_reason,
        cast(customer_id as {{ dbt.type_string() }}) as customer_id,
        cast(null as {{ dbt.type_string() }}) as transaction_id,
        cast(null as {{ dbt.type_string() }}) as transaction_date,
        cast(null as {{ dbt.type_string() }}) as amount,
        cast(null as {{ dbt.type_string() }}) as merchant_category,
        cast(line_number as {{ dbt.type_bigint() }}) as line_number,
        cast(line_text as {{ dbt.type_string() }}) as line_text

    from rejected_customers

),

-- Rejected by staging on their own text, then those of a customer who is not a known one.
transaction_rows as (

    select
        reject_reason,
        customer_id,
        transaction_id,
        transaction_date,
        amount,
        merchant_category,
        line_number,
        line_text

    from rejected_transactions

    union all

    select
        reject_reason,
        customer_id,
        transaction_id,
        transaction_date,
        amount,
        merchant_category,
        cast(null as {{ dbt.type_bigint() }}) as line_number,
        cast(null as {{ dbt.type_string() }}) as line_text

    from unmatched_transactions

),

final as (

    select * from customer_rows

    union all

    select
        cast('transactions' as {{ dbt.type_string() }}) as entity,
        cast(reject_reason as {{ dbt.type_string() }}) as reject_reason,
        cast(customer_id as {{ dbt.type_string() }}) as customer_id,
        cast(transaction_id as {{ dbt.type_string() }}) as transaction_id,
        cast(transaction_date as {{ dbt.type_string() }}) as transaction_date,
        cast(amount as {{ dbt.type_string() }}) as amount,
        cast(merchant_category as {{ dbt.type_string() }}) as merchant_category,
        cast(line_number as {{ dbt.type_bigint() }}) as line_number,
        cast(line_text as {{ dbt.type_string() }}) as line_text

    from transaction_rows

    union all

    select
        cast(entity as {{ dbt.type_string() }}) as entity,
        cast(reject_reason as {{ dbt.type_string() }}) as reject_reason,
        cast(customer_id as {{ dbt.type_string() }}) as customer_id,
        cast(null as {{ dbt.type_string() }}) as transaction_id,
        cast(null as {{ dbt.type_string() }}) as transaction_date,
        cast(null as {{ dbt.type_string() }}) as amount,
        cast(null as {{ dbt.type_string() }}) as merchant_category,
        cast(line_number as {{ dbt.type_bigint() }}) as line_number,
        cast(line_text as {{ dbt.type_string() }}) as line_text

    from optional_file_rows

)

select * from final
