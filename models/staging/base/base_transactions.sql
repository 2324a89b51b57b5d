{#
    Each row is judged on its own text; whether its customer is known is judged after staging
    (int_transactions_matched), so this table depends on the transactions file only. Zero and
    negative amounts are kept: a refund nets against spend. Repeated transaction_ids are
    resolved after this table is written, in base_transactions__repeats: resolving them here
    would hold every parsed row in memory until the last one was read, where the written table
    gives them from one column.

    Incremental: parsing and writing every row is most of a build, and a month adds one month
    of them. A row is settled once a run has staged it as of a date on or after its own
    transaction date (`transaction_date <= loaded_as_of`); its verdict depends only on its own
    text, so later runs keep it and stage only the rest of the file: rows dated after the
    latest `loaded_as_of`, and rows without a usable date. The pre-hook
    (macros/incremental_staging.sql) first deletes what is not settled. This assumes the file
    only grows by later dates; a delivery that adds or removes older rows fails the
    reconciliation test and needs `--full-refresh`, as does a table staged by a version of this
    model with other columns (`on_schema_change='fail'` stops the run and says so). Spark's
    in-memory catalog starts empty every run, so there it is a table.
#}

{{ config(
    materialized=staged_transactions_materialization(),
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ delete_unsettled_transactions() }}",
) }}

{%- set settled_through = latest_settled_as_of() %}

with

source as (

    select * from {{ source('raw', 'transactions') }}
    {% if settled_through is not none %}
    -- Only the rows not settled: the date alone is parsed for the whole file.
    where {{ is_unsettled('transaction_date', settled_through) }}
    {% endif %}

),

-- Each field trimmed once (blank as null); the parsers and reject checks read this text.
field_texts as (

    select
        -- the row as it arrived
        transaction_id as raw_transaction_id,
        customer_id as raw_customer_id,
        transaction_date as raw_transaction_date,
        amount as raw_amount,
        merchant_category as raw_merchant_category,
        product_id as raw_product_id,
        line_number,
        line_text,
        line_reject_reason,

        {{ field_text('transaction_id') }} as transaction_id_text,
        {{ field_text('customer_id') }} as customer_id_text,
        {{ field_text('transaction_date') }} as transaction_date_text,
        {{ field_text('amount') }} as amount_text,
        {{ field_text('merchant_category') }} as merchant_category,
        {{ field_text('product_id') }} as product_id_text

    from source

),

typed as {{ materialized_cte(['postgres']) }} (

    select
        *,

        -- ids
        {{ parse_integer('transaction_id_text') }} as transaction_id,
        {{ parse_integer('customer_id_text') }} as customer_id,
        -- optional (docs/rules/raw-input.md): a bad value is nulled and counted, not rejected
        {{ parse_integer('product_id_text') }} as product_id,

        -- numerics
        {{ parse_money('amount_text') }} as amount,

        -- dates
        {{ parse_iso_date('transaction_date_text') }} as transaction_date

    from field_texts

),

validated as {{ materialized_cte(['postgres']) }} (

    select
        typed.*,
        case
            {{ reject_if_not_a_row([
                'transaction_id', 'customer_id', 'transaction_date', 'amount', 'merchant_category',
            ]) }}
            {{ reject_if_missing_or_unparsed('transaction_id', 'an integer') }}
            {{ reject_if_missing_or_unparsed('customer_id', 'an integer') }}
            {{ reject_if_missing_or_unparsed('transaction_date', 'an ISO date') }}
            {{ reject_if_missing_or_unparsed('amount', 'a decimal number') }}
            -- absurd values: a typo or a unit error of this size would outweigh every real
            -- figure of the customer, so the row is rejected rather than summed
            when abs(typed.amount) > 10000000 then 'amount is beyond 10,000,000 either way'
            when typed.transaction_date < {{ date_literal('1900-01-01') }} then 'transaction_date is before 1900'
        end as reject_reason

    from typed

),

final as (

    select
        -- the raw text, for rejected rows only: the reject model shows it (macros/raw_values.sql)
        case when reject_reason is not null then {{ raw_values_json([
            'raw_transaction_id', 'raw_customer_id', 'raw_transaction_date', 'raw_amount', 'raw_merchant_category',
            'raw_product_id', 'line_number', 'line_text',
        ]) }} end as raw_values,
        transaction_id,
        customer_id,
        transaction_date,
        amount,
        merchant_category,
        product_id,
        product_id_text is not null and product_id is null as is_product_id_invalid,
        reject_reason,
        {{ date_literal(as_of_date()) }} as loaded_as_of

    from validated

)

select * from final
