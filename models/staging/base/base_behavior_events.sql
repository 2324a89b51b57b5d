{#
    The optional behaviour events file (docs/rules/raw-input.md), typed once; stg_behavior_events and
    stg_behavior_events__rejected read this table, so each row lands in exactly one of clean,
    rejected or duplicate. A row is judged here on its own text; whether its customer is known is
    judged in stg_behavior_events (the row then counts as rejected, with that reason). The optional
    columns are typed leniently: a bad product_id or event_value is null, not a rejection. Without a
    file, raw.behavior_events has no rows and neither has this. A repeated event_id keeps one row
    chosen by content, not file order. The event types of the notes are lower case; any other is
    kept as given. The shape every base model shares is macros/base_model.sql.
#}

{{ base_model(
    source_table='behavior_events',
    raw_columns=['event_id', 'customer_id', 'event_type', 'occurred_at'],
    header_columns=['event_id', 'customer_id', 'event_type', 'occurred_at'],
    fields=[
        {'column': 'event_id', 'parse': 'integer', 'required': true},
        {'column': 'customer_id', 'parse': 'integer', 'required': true},
        {'column': 'event_type', 'parse': 'lower(event_type_text)', 'required': true},
        {'column': 'occurred_at', 'parse': 'iso_timestamp', 'required': true},
        {'column': 'event_category'},
        {'column': 'product_id', 'parse': 'integer'},
        {'column': 'product_category'},
        {'column': 'event_value', 'parse': 'money'},
        {'column': 'device_type'},
        {'column': 'browser'},
        {'column': 'os'},
        {'column': 'country'},
        {'column': 'city'},
        {'column': 'session_id'},
        {'column': 'page_url'},
        {'column': 'referrer_url'},
    ],
    dedup_key=['event_id'],
    dedup_order=['raw_customer_id', 'raw_event_type', 'raw_occurred_at', 'product_id_text', 'event_value_text'],
    materialized_on=['postgres'],
) }}
