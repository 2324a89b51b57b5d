{#-
    Every rejected raw row in one table readers can open in the published file, beside the counts
    of data_quality_report. A customer row keeps only its raw customer_id, its line number when the
    line was malformed, and the reason: its names, email, phone and address (and so its line's text)
    stay in the working file (stg_customers__rejected). A transaction row keeps its raw values and
    a malformed line's number and text, which hold nothing personal. A customer_preferences or
    campaign_deliveries row keeps its raw customer_id, its malformed line's number and text (no
    contact details); a suppressions row its raw customer_id and line number only (it may carry
    an email).
-#}

with

rejected_customers as (

    select * from {{ ref('stg_customers__rejected') }}

),

rejected_transactions as (

    select * from {{ ref('stg_transactions__rejected') }}

),

unmatched_transactions as (

    select * from {{ ref('int_transactions_unmatched') }}

),

rejected_events as (

    select * from {{ ref('stg_behavior_events__rejected') }}

),

rejected_preferences as (

    select * from {{ ref('stg_customer_preferences__rejected') }}

),

rejected_suppressions as (

    select * from {{ ref('stg_suppressions__rejected') }}

),

rejected_deliveries as (

    select * from {{ ref('stg_campaign_deliveries__rejected') }}

),

-- The optional consent, campaign and behaviour files (spec section 7): the raw customer_id and the line.
optional_file_rows as (

    select
        'customer_preferences' as entity,
        reject_reason,
        customer_id,
        line_number,
        line_text
    from rejected_preferences

    union all

    select
        'suppressions' as entity,
        reject_reason,
        customer_id,
        line_number,
        cast(null as {{ dbt.type_string() }}) as line_text
    from rejected_suppressions

    union all

    select
        'campaign_deliveries' as entity,
        reject_reason,
        customer_id,
        line_number,
        line_text
    from rejected_deliveries

    union all

    select
        'behavior_events' as entity,
        reject_reason,
        customer_id,
        line_number,
        line_text
    from rejected_events

),

customer_rows as (

    select
        cast('customers' as {{ dbt.type_string() }}) as entity,
        cast(reject_reason as {{ dbt.type_string() }}) as reject_reason,
        cast(customer_id as {{ dbt.type_string() }}) as customer_id,
        cast(null as {{ dbt.type_string() }}) as transaction_id,
        cast(null as {{ dbt.type_string() }}) as transaction_date,
        cast(null as {{ dbt.type_string() }}) as amount,
        cast(null as {{ dbt.type_string() }}) as merchant_category,
        cast(line_number as {{ dbt.type_bigint() }}) as line_number,
        cast(null as {{ dbt.type_string() }}) as line_text

    from rejected_customers

),

-- Rejected by staging on their own text, then those of a customer who is not a known one.
transaction_rows as (

    select
        reject_reason,
        customer_id,
        transaction_id,
        transaction_date,
        amount,
        merchant_category,
        line_number,
        line_text

    from rejected_transactions

    union all

    select
        reject_reason,
        customer_id,
        transaction_id,
        transaction_date,
        amount,
        merchant_category,
        cast(null as {{ dbt.type_bigint() }}) as line_number,
        cast(null as {{ dbt.type_string() }}) as line_text

    from unmatched_transactions

),

final as (

    select * from customer_rows

    union all

    select
        cast('transactions' as {{ dbt.type_string() }}) as entity,
        cast(reject_reason as {{ dbt.type_string() }}) as reject_reason,
        cast(customer_id as {{ dbt.type_string() }}) as customer_id,
        cast(transaction_id as {{ dbt.type_string() }}) as transaction_id,
        cast(transaction_date as {{ dbt.type_string() }}) as transaction_date,
        cast(amount as {{ dbt.type_string() }}) as amount,
        cast(merchant_category as {{ dbt.type_string() }}) as merchant_category,
        cast(line_number as {{ dbt.type_bigint() }}) as line_number,
        cast(line_text as {{ dbt.type_string() }}) as line_text

    from transaction_rows

    union all

    select
        cast(entity as {{ dbt.type_string() }}) as entity,
        cast(reject_reason as {{ dbt.type_string() }}) as reject_reason,
        cast(customer_id as {{ dbt.type_string() }}) as customer_id,
        cast(null as {{ dbt.type_string() }}) as transaction_id,
        cast(null as {{ dbt.type_string() }}) as transaction_date,
        cast(null as {{ dbt.type_string() }}) as amount,
        cast(null as {{ dbt.type_string() }}) as merchant_category,
        cast(line_number as {{ dbt.type_bigint() }}) as line_number,
        cast(line_text as {{ dbt.type_string() }}) as line_text

    from optional_file_rows

)

select * from final
