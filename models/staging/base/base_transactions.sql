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
    in-memory catalog starts empty every run, so there it is a table. On a later run only the
    unsettled rows are read: the date alone is parsed for the whole file.

    Absurd amounts are rejected: a typo or a unit error of this size would outweigh every real
    figure of the customer, so the row is rejected rather than summed. A bad product_id, an
    optional column (docs/rules/raw-input.md), is nulled and counted, not rejected. A rejected
    row's raw text is kept in one JSON column, `raw_values` (macros/raw_values.sql).
    The shape every base model shares is macros/base_model.sql.
#}

{{ config(
    materialized=incremental_staging_materialization(),
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ delete_unsettled_transactions() }}",
) }}

{%- set settled_through = latest_settled_as_of() %}

{{ base_model(
    source_table='transactions',
    source_filter=is_unsettled('transaction_date', settled_through) if settled_through is not none else none,
    raw_columns=['transaction_id', 'customer_id', 'transaction_date', 'amount', 'merchant_category', 'product_id'],
    header_columns=['transaction_id', 'customer_id', 'transaction_date', 'amount', 'merchant_category'],
    fields=[
        {'column': 'transaction_id', 'parse': 'integer', 'required': true},
        {'column': 'customer_id', 'parse': 'integer', 'required': true},
        {'column': 'transaction_date', 'parse': 'iso_date', 'required': true},
        {'column': 'amount', 'parse': 'money', 'required': true},
        {'column': 'merchant_category'},
        {'column': 'product_id', 'parse': 'integer'},
    ],
    checks=[
        "when abs(amount) > 10000000 then 'amount is beyond 10,000,000 either way'",
        "when transaction_date < " ~ date_literal('1900-01-01') ~ " then 'transaction_date is before 1900'",
    ],
    columns=[
        'case when reject_reason is not null then ' ~ raw_values_json([
            'raw_transaction_id', 'raw_customer_id', 'raw_transaction_date', 'raw_amount', 'raw_merchant_category',
            'raw_product_id', 'line_number', 'line_text',
        ]) ~ ' end as raw_values',
        'transaction_id',
        'customer_id',
        'transaction_date',
        'amount',
        'merchant_category',
        'product_id',
        'product_id_text is not null and product_id is null as is_product_id_invalid',
        'reject_reason',
        date_literal(as_of_date()) ~ ' as loaded_as_of',
    ],
    materialized_on=['postgres'],
) }}
