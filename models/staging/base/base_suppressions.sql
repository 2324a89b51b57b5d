{#
    The optional suppressions file (docs/rules/raw-input.md): customers never to be contacted, on any
    channel. Typed once; stg_suppressions and stg_suppressions__rejected are filters of this table.
    A customer listed more than once keeps one row: the earliest added_at (a missing one first,
    as "always suppressed"), then the raw text. The email column is kept only as it arrived, in
    this working table and the rejects: consent is decided by customer_id alone.
#}

with

source as (

    select * from {{ source('raw', 'suppressions') }}

),

field_texts as (

    select
        -- the row as it arrived
        customer_id as raw_customer_id,
        email as raw_email,
        reason as raw_reason,
        added_at as raw_added_at,
        line_number,
        line_text,
        line_reject_reason,

        {{ field_text('customer_id') }} as customer_id_text,
        {{ field_text('reason') }} as suppression_reason,
        {{ field_text('added_at') }} as added_at_text

    from source

),

typed as (

    select
        *,
        {{ parse_integer('customer_id_text') }} as customer_id,
        {{ parse_iso_timestamp('added_at_text') }} as added_at

    from field_texts

),

validated as (

    select
        *,
        case
            {{ reject_if_not_a_row(['customer_id']) }}
            {{ reject_if_missing_or_unparsed('customer_id', 'an integer') }}
            when added_at_text is not null and added_at is null then 'added_at is not an ISO timestamp'
        end as reject_reason

    from typed

),

ranked as (

    select
        *,
        row_number() over (
            partition by reject_reason is null, customer_id
            order by
                case when added_at is null then 0 else 1 end,
                added_at,
                raw_reason,
                raw_email
        ) as copy_number

    from validated

),

final as (

    select
        raw_customer_id,
        raw_email,
        raw_reason,
        raw_added_at,
        customer_id,
        suppression_reason,
        added_at,
        line_number,
        line_text,
        reject_reason,
        reject_reason is null and copy_number > 1 as is_duplicate

    from ranked

)

select * from final
