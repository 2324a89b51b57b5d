{#
    Each customer's account status over time, from dim_customer's versions, for judging consent at
    a past moment (macros/consent_rules.sql, in_force_on_day / in_force_at). A customer's first
    recorded version counts from the start (valid_from null): a warehouse built with a backfill
    records its first versions at the run's date, and the customer file is then the best knowledge
    of the earlier dates; later versions count from when they were recorded. DuckDB only, like the
    campaign models that read it (Spark builds no snapshot).
#}

{{ config(enabled=builds_duckdb_only_models(), materialized='view') }}

with

customers as (

    select * from {{ ref('dim_customer') }}

),

final as (

    select
        customer_id,
        account_status,
        case
            when row_number() over (partition by customer_id order by valid_from) > 1 then valid_from
        end as valid_from,
        valid_to

    from customers

)

select * from final
