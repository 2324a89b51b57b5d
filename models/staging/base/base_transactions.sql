{#
    Every raw transaction row, typed, with its verdict: a reject reason (unparseable or
    missing field, an absurd amount or date, or an unknown customer) or whether it is a
    removed duplicate. Zero and negative amounts are kept: a refund nets against spend.

    Incremental: parsing and writing 13.5M rows is most of a build, and a month adds one month
    of them. A row is settled once a run has staged it as of a date on or after its own
    transaction date (`transaction_date <= loaded_as_of`); later runs keep settled rows and stage
    only the rest of the file: rows dated after the latest `loaded_as_of`, and rows without a
    usable date. The pre-hook (macros/incremental_staging.sql) first deletes what is not settled,
    or everything when a customer has come or gone under a settled row. This assumes the file
    only grows by later dates; a delivery that adds or removes older rows fails the
    reconciliation test and needs `--full-refresh`. Spark's in-memory catalog starts empty every
    run, so there it is a table.
#}

{{ config(
    materialized='table' if target.type == 'spark' else 'incremental',
    incremental_strategy='append',
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

known_customers as (

    select customer_id as known_customer_id from {{ ref('stg_customers') }}

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

        {{ field_text('transaction_id') }} as transaction_id_text,
        {{ field_text('customer_id') }} as customer_id_text,
        {{ field_text('transaction_date') }} as transaction_date_text,
        {{ field_text('amount') }} as amount_text,
        {{ field_text('merchant_category') }} as merchant_category

    from source

),

typed as {{ materialized_cte(['postgres']) }} (

    select
        *,

        -- ids
        {{ parse_integer('transaction_id_text') }} as transaction_id,
        {{ parse_integer('customer_id_text') }} as customer_id,

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
            {{ reject_if_missing_or_unparsed('transaction_id', 'an integer') }}
            {{ reject_if_missing_or_unparsed('customer_id', 'an integer') }}
            {{ reject_if_missing_or_unparsed('transaction_date', 'an ISO date') }}
            {{ reject_if_missing_or_unparsed('amount', 'a decimal number') }}
            -- absurd values: a typo or a unit error of this size would outweigh every real
            -- figure of the customer, so the row is rejected rather than summed
            when abs(typed.amount) > 10000000 then 'amount is beyond 10,000,000 either way'
            when typed.transaction_date < {{ date_literal('1900-01-01') }} then 'transaction_date is before 1900'
            when known_customers.known_customer_id is null then '{{ unknown_customer_reason() }}'
        end as reject_reason

    from typed
    left join known_customers
        on typed.customer_id = known_customers.known_customer_id

),

-- The raw text is kept only for rejected rows, where the reject model shows it; dropping it for
-- the millions of clean rows before de-duplicating keeps the window and the table small.
trimmed as {{ materialized_cte(['duckdb', 'postgres']) }} (

    select
        case when reject_reason is not null then raw_transaction_id end as raw_transaction_id,
        case when reject_reason is not null then raw_customer_id end as raw_customer_id,
        case when reject_reason is not null then raw_transaction_date end as raw_transaction_date,
        case when reject_reason is not null then raw_amount end as raw_amount,
        case when reject_reason is not null then raw_merchant_category end as raw_merchant_category,
        transaction_id,
        customer_id,
        transaction_date,
        amount,
        merchant_category,
        reject_reason,
        {{ date_literal(as_of_date()) }} as loaded_as_of

    from validated

),

{% if settled_through is not none %}
-- Kept settled rows whose transaction_id a new row uses again. (After the pre-hook, every row
-- of the table is settled.) Looked up from the new rows' side: a hash table of every settled
-- id would cost more than the rest of the run.
settled_clean_ids as (

    select transaction_id from {{ this }}
    where reject_reason is null
        and not is_duplicate
        and transaction_id in (select transaction_id from trimmed where reject_reason is null)

),
{% endif %}

-- Duplicates are rare, so only the rows whose transaction_id repeats are ranked; a window over
-- every row would sort millions of rows to find a few thousand copies.
repeated_ids as (

    select transaction_id
    from trimmed
    where reject_reason is null
    group by transaction_id
    having count(*) > 1
    {% if settled_through is not none %}

    union

    -- a settled copy is dated on or before the last loaded_as_of, so it is earlier and stays kept
    select trimmed.transaction_id
    from trimmed
    inner join settled_clean_ids
        on trimmed.transaction_id = settled_clean_ids.transaction_id
    where trimmed.reject_reason is null
    {% endif %}

),

-- Joined rather than filtered with `not in (subquery)`: Spark 3.5 drops rows that pass the
-- other side of an `or` with one, and a join reads the same on every engine.
single_or_rejected as (

    select
        trimmed.*,
        false as is_duplicate

    from trimmed
    left join repeated_ids
        on trimmed.transaction_id = repeated_ids.transaction_id
    where trimmed.reject_reason is not null
        or repeated_ids.transaction_id is null

),

repeated as (

    select
        trimmed.*,
        -- the kept copy is chosen by content, not file order, so a rebuild from the same file
        -- always keeps the same row
        row_number() over (
            partition by trimmed.transaction_id
            order by trimmed.transaction_date, trimmed.amount, trimmed.customer_id, trimmed.merchant_category nulls first
        ) > 1
        {%- if settled_through is not none %} or settled_clean_ids.transaction_id is not null{% endif %} as is_duplicate

    from trimmed
    inner join repeated_ids
        on trimmed.transaction_id = repeated_ids.transaction_id
    {% if settled_through is not none %}
    left join settled_clean_ids
        on trimmed.transaction_id = settled_clean_ids.transaction_id
    {% endif %}
    where trimmed.reject_reason is null

),

final as (

    select * from single_or_rejected
    union all
    select * from repeated

)

select * from final
