with

base as (

    select * from {{ ref('base_customers') }}

),

final as (

    select
        -- ids
        customer_id,

        -- strings
        first_name,
        last_name,
        email,
        phone,
        gender,
        city,
        state,
        country,
        postal_code,
        account_status,
        customer_type,

        -- numerics
        loyalty_points,

        -- dates
        date_of_birth,
        signup_date,
        last_login,

        -- flags
        is_email_shared

    from base
    where reject_reason is null
        and not is_duplicate

)

select * from final
