with

snapshot as (

    select * from {{ ref('customers_snapshot') }}

),

final as (

    select
        -- keys
        dbt_scd_id as customer_key,
        customer_id,

        -- profile
        first_name,
        last_name,
        email,
        phone,
        date_of_birth,
        gender,
        city,
        state,
        country,
        postal_code,
        signup_date,
        account_status,

        -- validity
        dbt_valid_from as valid_from,
        dbt_valid_to as valid_to,
        dbt_valid_to is null as is_current

    from snapshot

)

select * from final
