{#
    Every raw transaction row, typed, with its verdict: a reject reason (unparseable or
    missing field, an absurd amount or date, or an unknown customer) or whether it is a
    removed duplicate. Zero and negative amounts are kept: a refund nets against spend.
#}

with

source as (

    select * from {{ source('raw', 'transactions') }}

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

typed as {{ materialized_cte() }} (

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

validated as {{ materialized_cte() }} (

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
            when known_customers.known_customer_id is null then 'customer_id is not a known customer'
        end as reject_reason

    from typed
    left join known_customers
        on typed.customer_id = known_customers.known_customer_id

),

-- The raw text is kept only for rejected rows, where the reject model shows it; dropping it for
-- the millions of clean rows before de-duplicating keeps the window and the table small.
trimmed as (

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
        reject_reason

    from validated

),

-- Duplicates are rare, so only the rows whose transaction_id repeats are ranked; a window over
-- every row would sort millions of rows to find a few thousand copies.
repeated_ids as (

    select transaction_id
    from trimmed
    where reject_reason is null
    group by transaction_id
    having count(*) > 1

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
        ) > 1 as is_duplicate

    from trimmed
    inner join repeated_ids
        on trimmed.transaction_id = repeated_ids.transaction_id
    where trimmed.reject_reason is null

),

final as (

    select * from single_or_rejected
    union all
    select * from repeated

)

select * from final
