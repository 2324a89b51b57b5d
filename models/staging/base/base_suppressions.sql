{#
    The optional suppressions file (docs/rules/raw-input.md): customers never to be contacted, on any
    channel. Typed once; stg_suppressions and stg_suppressions__rejected are filters of this table.
    A customer listed more than once keeps one row: the earliest added_at (a missing one first,
    as "always suppressed"), then the raw text. The email column is kept only as it arrived, in
    this working table and the rejects: consent is decided by customer_id alone.
    The shape every base model shares is macros/base_model.sql.
#}

{{ base_model(
    source_table='suppressions',
    raw_columns=['customer_id', 'email', 'reason', 'added_at'],
    header_columns=['customer_id'],
    fields=[
        {'column': 'customer_id', 'parse': 'integer', 'required': true},
        {'column': 'reason', 'as': 'suppression_reason'},
        {'column': 'added_at', 'parse': 'iso_timestamp', 'invalid': 'reject'},
    ],
    dedup_key=['customer_id'],
    dedup_order=['case when added_at is null then 0 else 1 end', 'added_at', 'raw_reason', 'raw_email'],
) }}
