{#
    What this run did with the raw input, one row per entity and measure: raw, clean,
    rejected (per reason) and duplicate rows, the profile fields nulled as malformed, and the
    rows that are clean but outside this run (dated, or signed up, after the as-of date).
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
