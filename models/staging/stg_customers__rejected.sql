with

base as (

    select * from {{ ref('base_customers') }}

),

final as (

    select
        reject_reason,
        raw_customer_id as customer_id,
        raw_first_name as first_name,
        raw_last_name as last_name,
        raw_email as email,
        raw_phone as phone,
        raw_date_of_birth as date_of_birth,
        raw_gender as gender,
        raw_city as city,
        raw_state as state,
        raw_country as country,
        raw_postal_code as postal_code,
        raw_signup_date as signup_date,
        raw_account_status as account_status,
        raw_loyalty_points as loyalty_points,
        raw_last_login as last_login,
        raw_customer_type as customer_type,
        line_number,
        line_text

    from base
    where reject_reason is not null

)

select * from final
