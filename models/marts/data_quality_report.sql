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

customer_measures as (

    {{ row_verdict_counts('customers', 'customers') }}
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

transaction_measures as (

    {{ row_verdict_counts('transactions', 'transactions') }}
    union all
    select 'transactions', 'outside_as_of', 'dated after the as-of date', count(*)
    from transactions where reject_reason is null and not is_duplicate and transaction_date > {{ date_literal(a.as_of) }}
    union all
    select 'transactions', 'noted', 'negative amount, kept as a refund', count(*)
    from transactions where reject_reason is null and not is_duplicate and amount < 0
    union all
    select 'transactions', 'noted', 'zero amount, kept (not a purchase)', count(*)
    from transactions where reject_reason is null and not is_duplicate and amount = 0

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
