{#
    What this run did with the raw input, one row per entity and measure: raw, clean,
    rejected (per reason) and duplicate rows, the profile fields nulled or flagged, the rows
    that are clean but outside this run (dated, or signed up, after the as-of date), and clean
    rows worth knowing about (refunds, zero amounts).
    raw_rows = clean_rows + rejected_rows + duplicate_rows for each entity (tested).
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

transaction_repeats as (

    select * from {{ ref('base_transactions__repeats') }}

),

customer_counts as (

    select
        count(case when reject_reason is null and not is_duplicate then 1 end) as clean_rows,
        count(case when is_duplicate then 1 end) as duplicate_rows

    from customers

),

-- One pass over the clean rows for every count taken from them.
clean_transaction_counts as (

    select
        count(*) as clean_rows,
        count(case when transaction_date > {{ date_literal(a.as_of) }} then 1 end) as dated_after_as_of,
        count(case when amount < 0 then 1 end) as negative_amount,
        count(case when amount = 0 then 1 end) as zero_amount

    from clean_transactions

),

transaction_counts as (

    select
        clean_transaction_counts.*,
        removed.duplicate_rows

    from clean_transaction_counts
    cross join (
        select coalesce(sum(removed_copies), 0) as duplicate_rows from transaction_repeats
    ) as removed

),

customer_measures as (

    {{ row_verdict_counts('customers', 'customers', 'customer_counts') }}
    union all
    select 'customers', 'flagged_field', 'email nulled: no @', count(*)
    from customers where reject_reason is null and not is_duplicate and is_email_invalid
    union all
    select 'customers', 'flagged_field', 'email kept, shared with another customer', count(*)
    from customers where is_email_shared
    union all
    select 'customers', 'flagged_field', 'gender nulled: not Male/Female/Other', count(*)
    from customers where reject_reason is null and not is_duplicate and is_gender_invalid
    union all
    select 'customers', 'flagged_field', 'date_of_birth nulled: unparseable or age outside 18-120', count(*)
    from customers where reject_reason is null and not is_duplicate and is_date_of_birth_invalid
    union all
    select 'customers', 'outside_as_of', 'signed up after the as-of date', count(*)
    from customers where reject_reason is null and not is_duplicate and signup_date > {{ date_literal(a.as_of) }}

),

-- Rows rejected in staging, and clean rows whose customer is unknown.
transaction_rejects as (

    select reject_reason from transactions where reject_reason is not null
    union all
    select reject_reason from unmatched_transactions

),

transaction_measures as (

    {{ row_verdict_counts('transactions', 'transactions', 'transaction_counts', 'transaction_rejects') }}
    union all
    select 'transactions', 'outside_as_of', 'dated after the as-of date', dated_after_as_of
    from transaction_counts
    union all
    select 'transactions', 'noted', 'negative amount, kept as a refund', negative_amount
    from transaction_counts
    union all
    select 'transactions', 'noted', 'zero amount, kept (not a purchase)', zero_amount
    from transaction_counts

),

final as (

    select
        entity,
        measure,
        detail,
        cast(row_count as bigint) as row_count,
        {{ date_literal(a.as_of) }} as as_of_date

    from (
        select * from customer_measures
        union all
        select * from transaction_measures
    ) as measures

)

select * from final
