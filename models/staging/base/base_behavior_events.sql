{#
    The optional behaviour events file (docs/rules/raw-input.md), typed once; stg_behavior_events and
    stg_behavior_events__rejected read this table, so each row lands in exactly one of clean,
    rejected or duplicate. A row is judged here on its own text; whether its customer is known is
    judged in stg_behavior_events (the row then counts as rejected, with that reason). The optional
    columns are typed leniently: a bad product_id or event_value is null, not a rejection. Without a
    file, raw.behavior_events has no rows and neither has this. A repeated event_id keeps one row
    chosen by content, not file order. The event types of the notes are lower case; any other is
    kept as given. The shape every base model shares is macros/base_model.sql.

    Incremental, as base_transactions is and for the same reason: a month adds a month of events, and
    parsing every row of the file was the largest step of a monthly run. A row is settled once a run
    as of its event's date or later has staged it; a later run stages the rows dated after the latest
    `loaded_as_of`, the rows without a usable occurred_at, and every row of an event_id that an
    unsettled row carries (in the file, or in the table only when the file no longer has it), so that
    the copies of an id are ranked together as a full build ranks them (macros/incremental_staging.sql,
    whose pre-hook first deletes those rows). The same assumption holds: the file grows by later
    events, and a delivery that adds or removes older rows fails the reconciliation test and needs
    `--full-refresh`.
#}

{{ config(
    materialized=incremental_staging_materialization(),
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ delete_unsettled_events() }}",
) }}

{%- set settled_through = latest_settled_as_of() %}

{{ base_model(
    source_table='behavior_events',
    source_filter=events_to_stage(settled_through) if settled_through is not none else none,
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
    flags=[date_literal(as_of_date()) ~ ' as loaded_as_of', "'" ~ invocation_id ~ "' as staged_by"],
    materialized_on=['postgres'],
) }}
