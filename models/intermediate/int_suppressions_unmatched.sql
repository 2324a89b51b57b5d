{#
    The suppression rows that staging found usable but whose customer is not a known one, rejected
    with that reason and their raw text, in the columns of stg_suppressions__rejected. Every copy
    is rejected, the ones staging had removed as duplicates too (is_duplicate), since a copy
    repeats its customer.
#}

with

suppressions as (

    select * from {{ ref('base_suppressions') }}

),

customers as (

    select * from {{ ref('stg_customers') }}

),

final as (

    select
        cast('customer_id is not a known customer' as {{ dbt.type_string() }}) as reject_reason,
        suppressions.raw_customer_id as customer_id,
        suppressions.raw_email as email,
        suppressions.raw_reason as reason,
        suppressions.raw_added_at as added_at,
        suppressions.line_number,
        suppressions.line_text,
        suppressions.is_duplicate

    from suppressions
    left join customers
        on suppressions.customer_id = customers.customer_id
    where suppressions.reject_reason is null
        and customers.customer_id is null

)

select * from final
