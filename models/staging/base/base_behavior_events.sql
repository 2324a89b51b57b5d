{#
    The optional behaviour events file (docs/rules/raw-input.md), typed once; stg_behavior_events and
    stg_behavior_events__rejected read this table, so each row lands in exactly one of clean,
    rejected or duplicate. A row is judged here on its own text; whether its customer is known is
    judged in stg_behavior_events (the row then counts as rejected, with that reason). The optional
    columns are typed leniently: a bad product_id or event_value is null, not a rejection. Without a
    file, raw.behavior_events has no rows and neither has this.
#}

with

source as (

    select * from {{ source('raw', 'behavior_events') }}

),

field_texts as (

    select
        -- the row as it arrived
        event_id as raw_event_id,
        customer_id as raw_customer_id,
        event_type as raw_event_type,
        occurred_at as raw_occurred_at,
        line_number,
        line_text,
        line_reject_reason,

        {{ field_text('event_id') }} as event_id_text,
        {{ field_text('customer_id') }} as customer_id_text,
        {{ field_text('event_type') }} as event_type_text,
        {{ field_text('occurred_at') }} as occurred_at_text,
        {{ field_text('event_category') }} as event_category,
        {{ field_text('product_id') }} as product_id_text,
        {{ field_text('product_category') }} as product_category,
        {{ field_text('event_value') }} as event_value_text,
        {{ field_text('device_type') }} as device_type,
        {{ field_text('browser') }} as browser,
        {{ field_text('os') }} as os,
        {{ field_text('country') }} as country,
        {{ field_text('city') }} as city,
        {{ field_text('session_id') }} as session_id,
        {{ field_text('page_url') }} as page_url,
        {{ field_text('referrer_url') }} as referrer_url

    from source

),

typed as {{ materialized_cte(['postgres']) }} (

    select
        *,
        {{ parse_integer('event_id_text') }} as event_id,
        {{ parse_integer('customer_id_text') }} as customer_id,
        -- the event types of the notes are lower case; any other is kept as given
        lower(event_type_text) as event_type,
        {{ parse_iso_timestamp('occurred_at_text') }} as occurred_at,
        {{ parse_integer('product_id_text') }} as product_id,
        {{ parse_money('event_value_text') }} as event_value

    from field_texts

),

validated as {{ materialized_cte(['postgres']) }} (

    select
        *,
        case
            {{ reject_if_not_a_row(['event_id', 'customer_id', 'event_type', 'occurred_at']) }}
            {{ reject_if_missing_or_unparsed('event_id', 'an integer') }}
            {{ reject_if_missing_or_unparsed('customer_id', 'an integer') }}
            when event_type_text is null then 'event_type is missing'
            {{ reject_if_missing_or_unparsed('occurred_at', 'an ISO timestamp') }}
        end as reject_reason

    from typed

),

ranked as (

    select
        *,
        -- a repeated event_id keeps one row chosen by content, not file order
        row_number() over (
            partition by reject_reason is null, event_id
            order by raw_customer_id, raw_event_type, raw_occurred_at, product_id_text, event_value_text
        ) as copy_number

    from validated

),

final as (

    select
        raw_event_id,
        raw_customer_id,
        raw_event_type,
        raw_occurred_at,
        event_id,
        customer_id,
        event_type,
        occurred_at,
        event_category,
        product_id,
        product_category,
        event_value,
        device_type,
        browser,
        os,
        country,
        city,
        session_id,
        page_url,
        referrer_url,
        line_number,
        line_text,
        reject_reason,
        reject_reason is null and copy_number > 1 as is_duplicate

    from ranked

)

select * from final
