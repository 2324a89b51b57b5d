{#
    Every measure of the raw files that data_quality_report publishes, per entity: raw rows, clean
    rows, rejected rows per reason and removed duplicates (the four reconcile: raw = clean + rejected
    + duplicates, tests/assert_raw_rows_reconcile.sql), then the flagged fields, the rows outside the
    as-of date, the noted values and the optional inputs. Raw rows and staging's verdicts are counted
    from the base models; a row is clean once its customer is known (the int_<entity>_matched
    models), and the usable rows of an unknown customer are rejected (int_<entity>_unmatched).
#}

{%- set a = as_of_windows() %}

with

customers as (

    select * from {{ ref('base_customers') }}

),

transactions as (

    select * from {{ ref('base_transactions') }}

),

clean_transactions as (

    select * from {{ ref('int_transactions_matched') }}

),

unmatched_transactions as (

    select * from {{ ref('int_transactions_unmatched') }}

),

transaction_copies as (

    select * from {{ ref('int_transaction_copies_matched') }}

),

products as (

    select * from {{ ref('base_products') }}

),

events as (

    select * from {{ ref('base_behavior_events') }}

),

clean_events as (

    select * from {{ ref('int_behavior_events_matched') }}

),

unmatched_events as (

    select * from {{ ref('int_behavior_events_unmatched') }}

),

-- One pass over the customer rows for every count taken from them.
customer_counts as (

    select
        count(case when reject_reason is null and not is_duplicate then 1 end) as clean_rows,
        count(case when is_duplicate then 1 end) as duplicate_rows,
        count(case when reject_reason is null and not is_duplicate and is_email_invalid then 1 end)
            as email_invalid,
        count(case when is_email_shared then 1 end) as email_shared,
        count(case when reject_reason is null and not is_duplicate and is_gender_invalid then 1 end)
            as gender_invalid,
        count(case when reject_reason is null and not is_duplicate and is_date_of_birth_invalid then 1 end)
            as date_of_birth_invalid,
        {%- for column in ['loyalty_points', 'last_login', 'customer_type'] %}
        count(case when reject_reason is null and not is_duplicate and is_{{ column }}_invalid then 1 end)
            as {{ column }}_invalid,
        count(case when reject_reason is null and not is_duplicate and {{ column }} is not null then 1 end)
            as {{ column }}_given,
        {%- endfor %}
        count(
            case
                when reject_reason is null and not is_duplicate and signup_date > {{ date_literal(a.as_of) }}
                    then 1
            end
        ) as signed_up_after_as_of

    from customers

),

-- One pass over the clean rows for every count taken from them.
clean_transaction_counts as (

    select
        count(*) as clean_rows,
        count(case when transaction_date > {{ date_literal(a.as_of) }} then 1 end) as dated_after_as_of,
        count(case when amount < 0 then 1 end) as negative_amount,
        count(case when amount = 0 then 1 end) as zero_amount,
        count(product_id) as product_id_given

    from clean_transactions

),

-- A repeated id's copies that name an unknown customer are rejected, not removed as duplicates.
removed_transaction_copies as (

    select count(*) as duplicate_rows
    from transaction_copies
    where known_copy_number > 1

),

invalid_product_ids as (

    select count(*) as product_id_invalid
    from transactions
    where reject_reason is null and is_product_id_invalid

),

transaction_counts as (

    select
        clean_transaction_counts.*,
        removed_transaction_copies.duplicate_rows,
        invalid_product_ids.product_id_invalid

    from clean_transaction_counts
    cross join removed_transaction_copies
    cross join invalid_product_ids

),

customer_measures as (

    {{ row_verdict_counts('customers', 'customers', 'customer_counts') }}
    union all
    select
        'customers' as entity,
        'flagged_field' as measure,
        'email nulled: no @' as detail,
        email_invalid as row_count
    from customer_counts
    union all
    select
        'customers' as entity,
        'flagged_field' as measure,
        'email kept, shared with another customer' as detail,
        email_shared as row_count
    from customer_counts
    union all
    select
        'customers' as entity,
        'flagged_field' as measure,
        'gender nulled: not Male/Female/Other' as detail,
        gender_invalid as row_count
    from customer_counts
    union all
    select
        'customers' as entity,
        'flagged_field' as measure,
        'date_of_birth nulled: unparseable or age outside 18-120' as detail,
        date_of_birth_invalid as row_count
    from customer_counts
    union all
    select
        'customers' as entity,
        'outside_as_of' as measure,
        'signed up after the as-of date' as detail,
        signed_up_after_as_of as row_count
    from customer_counts
    {%- for column, rule in [
        ('loyalty_points', 'not an integer >= 0'),
        ('last_login', 'not an ISO timestamp'),
        ('customer_type', 'not individual/business'),
    ] %}
    union all
    select
        'customers' as entity,
        'flagged_field' as measure,
        '{{ column }} nulled: {{ rule }}' as detail,
        {{ column }}_invalid as row_count
    from customer_counts
    union all
    -- 0 when the optional column was not delivered: its features are empty (the summary says so)
    select
        'customers' as entity,
        'optional_input' as measure,
        '{{ column }} column: clean rows with a value' as detail,
        {{ column }}_given as row_count
    from customer_counts
    {%- endfor %}

),

-- Rows rejected in staging, and clean rows whose customer is unknown.
transaction_rejects as (

    select reject_reason from transactions
    where reject_reason is not null
    union all
    select reject_reason from unmatched_transactions

),

transaction_measures as (

    {{ row_verdict_counts('transactions', 'transactions', 'transaction_counts', 'transaction_rejects') }}
    union all
    select
        'transactions' as entity,
        'outside_as_of' as measure,
        'dated after the as-of date' as detail,
        dated_after_as_of as row_count
    from transaction_counts
    union all
    select
        'transactions' as entity,
        'noted' as measure,
        'negative amount, kept as a refund' as detail,
        negative_amount as row_count
    from transaction_counts
    union all
    select
        'transactions' as entity,
        'noted' as measure,
        'zero amount, kept (not a purchase)' as detail,
        zero_amount as row_count
    from transaction_counts
    union all
    select
        'transactions' as entity,
        'flagged_field' as measure,
        'product_id nulled: not an integer' as detail,
        product_id_invalid as row_count
    from transaction_counts
    union all
    select
        'transactions' as entity,
        'optional_input' as measure,
        'product_id column: clean rows with a value' as detail,
        product_id_given as row_count
    from transaction_counts

),

product_counts as (

    select
        count(case when reject_reason is null and not is_duplicate then 1 end) as clean_rows,
        count(case when is_duplicate then 1 end) as duplicate_rows

    from products

),

product_measures as (

    {{ row_verdict_counts('products', 'products', 'product_counts') }}
    union all
    -- 0 when the optional file was not delivered: dim_product and the product features are empty
    select
        'products' as entity,
        'optional_input' as measure,
        'file: rows' as detail,
        count(*) as row_count
    from products

),

-- Rows rejected in staging, and usable rows whose customer is unknown (their other copies stay duplicates).
event_rejects as (

    select reject_reason from events
    where reject_reason is not null
    union all
    select reject_reason from unmatched_events

),

event_counts as (

    select
        (select count(*) from clean_events) as clean_rows,
        count(case when is_duplicate then 1 end) as duplicate_rows

    from events

),

event_measures as (

    {{ row_verdict_counts('behavior_events', 'events', 'event_counts', 'event_rejects') }}
    union all
    -- 0 when the optional file was not delivered: the behaviour summary and the journeys read no events
    select
        'behavior_events' as entity,
        'optional_input' as measure,
        'file: rows' as detail,
        count(*) as row_count
    from events

),
{%- for entity in ['customer_preferences', 'suppressions', 'campaign_deliveries'] %}

{{ entity }}_rows as (

    select * from {{ ref('base_' ~ entity) }}

),

{{ entity }}_unmatched as (

    select * from {{ ref('int_' ~ entity ~ '_unmatched') }}

),

-- Rows rejected in staging, and usable rows whose customer is unknown: every copy of such a row, so a copy of an
-- unknown customer's row is rejected, not removed as a duplicate.
{{ entity }}_rejects as (

    select reject_reason from {{ entity }}_rows
    where reject_reason is not null
    union all
    select reject_reason from {{ entity }}_unmatched

),

-- staging's removed copies, less those of unknown customers (rejected above with the others)
{{ entity }}_staged_copies as (

    select count(*) as copies
    from {{ entity }}_rows
    where is_duplicate

),

{{ entity }}_unmatched_copies as (

    select count(*) as copies
    from {{ entity }}_unmatched
    where is_duplicate

),

{{ entity }}_counts as (

    select
        (select count(*) from {{ ref('int_' ~ entity ~ '_matched') }}) as clean_rows,
        {{ entity }}_staged_copies.copies - {{ entity }}_unmatched_copies.copies as duplicate_rows

    from {{ entity }}_staged_copies
    cross join {{ entity }}_unmatched_copies

),

{{ entity }}_measures as (

    {{ row_verdict_counts(entity, entity ~ '_rows', entity ~ '_counts', entity ~ '_rejects') }}
    union all
    -- 0 when the optional file was not delivered (docs/rules/raw-input.md)
    select
        '{{ entity }}' as entity,
        'optional_input' as measure,
        'file: rows' as detail,
        count(*) as row_count
    from {{ entity }}_rows

),
{%- endfor %}

measures as (

    select * from customer_measures
    union all
    select * from transaction_measures
    union all
    select * from product_measures
    union all
    select * from event_measures
    {%- for entity in ['customer_preferences', 'suppressions', 'campaign_deliveries'] %}
    union all
    select * from {{ entity }}_measures
    {%- endfor %}

),

final as (

    select
        entity,
        measure,
        detail,
        row_count

    from measures

)

select * from final
