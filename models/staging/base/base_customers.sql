{#
    The clean and rejected staging models are filters of this one table, so the raw file is read
    once and each row lands in exactly one of clean, rejected or duplicate.
#}

{%- set a = as_of_windows() %}

with

source as (

    select * from {{ source('raw', 'customers') }}

),

-- Each field trimmed once (blank as null); the parsers and reject checks read this text.
field_texts as (

    select
        -- the row as it arrived
        customer_id as raw_customer_id,
        first_name as raw_first_name,
        last_name as raw_last_name,
        email as raw_email,
        phone as raw_phone,
        date_of_birth as raw_date_of_birth,
        gender as raw_gender,
        city as raw_city,
        state as raw_state,
        country as raw_country,
        postal_code as raw_postal_code,
        signup_date as raw_signup_date,
        account_status as raw_account_status,
        loyalty_points as raw_loyalty_points,
        last_login as raw_last_login,
        customer_type as raw_customer_type,
        line_number,
        line_text,
        line_reject_reason,

        {{ field_text('customer_id') }} as customer_id_text,
        {{ field_text('first_name') }} as first_name,
        {{ field_text('last_name') }} as last_name,
        {{ field_text('email') }} as email_text,
        {{ field_text('phone') }} as phone,
        {{ field_text('date_of_birth') }} as date_of_birth_text,
        {{ field_text('gender') }} as gender_text,
        {{ field_text('city') }} as city,
        {{ field_text('state') }} as state,
        {{ field_text('country') }} as country,
        {{ field_text('postal_code') }} as postal_code,
        {{ field_text('signup_date') }} as signup_date_text,
        {{ field_text('account_status') }} as account_status,
        {{ field_text('loyalty_points') }} as loyalty_points_text,
        {{ field_text('last_login') }} as last_login_text,
        {{ field_text('customer_type') }} as customer_type_text

    from source

),

typed as {{ materialized_cte(['postgres']) }} (

    select
        *,

        -- ids
        {{ parse_integer('customer_id_text') }} as customer_id,

        -- dates
        {{ parse_iso_date('date_of_birth_text') }} as date_of_birth_parsed,
        {{ parse_iso_date('signup_date_text') }} as signup_date,
        {{ parse_iso_timestamp('last_login_text') }} as last_login,

        -- numerics
        {{ parse_integer('loyalty_points_text') }} as loyalty_points_parsed

    from field_texts

),

validated as {{ materialized_cte(['postgres']) }} (

    select
        *,
        case
            {{ reject_if_not_a_row([
                'customer_id', 'first_name', 'last_name', 'email', 'phone', 'date_of_birth', 'gender',
                'city', 'state', 'country', 'postal_code', 'signup_date', 'account_status',
            ]) }}
            {{ reject_if_missing_or_unparsed('customer_id', 'an integer') }}
            {{ reject_if_missing_or_unparsed('signup_date', 'an ISO date') }}
            when signup_date < {{ date_literal('1900-01-01') }} then 'signup_date is before 1900'
        end as reject_reason,

        -- malformed profile fields are nulled, not rejected (docs/rules/cleaning.md)
        case when email_text like '%_@_%' then email_text end as email,
        case lower(gender_text)
            when 'male' then 'Male'
            when 'female' then 'Female'
            when 'other' then 'Other'
        end as gender,
        -- the optional columns (docs/rules/raw-input.md): a bad value is nulled and counted, not rejected
        case when loyalty_points_parsed >= 0 then loyalty_points_parsed end as loyalty_points,
        case lower(customer_type_text)
            when 'individual' then 'individual'
            when 'business' then 'business'
        end as customer_type,
        case
            when
                {{ complete_months_between('date_of_birth_parsed', date_literal(a.as_of)) }}
                between 18 * 12 and 121 * 12 - 1
                then date_of_birth_parsed
        end as date_of_birth

    from typed

),

ranked as (

    select
        *,
        -- duplicates of a customer_id: the kept row is chosen by content, not file order, so a
        -- rebuild from the same file always keeps the same row
        row_number() over (
            partition by reject_reason is null, customer_id
            order by
                signup_date, raw_first_name, raw_last_name, raw_email, raw_phone, raw_date_of_birth,
                raw_gender, raw_city, raw_state, raw_country, raw_postal_code, raw_account_status,
                raw_loyalty_points, raw_last_login, raw_customer_type
        ) as copy_number

    from validated

),

-- An email is meant to identify one customer (customer schema notes); when kept customers share
-- one, nobody can tell whose it is, so each of them is flagged, and the address is kept.
shared_emails as (

    select lower(email) as email_key
    from ranked
    where reject_reason is null
        and copy_number = 1
        and email is not null
    group by lower(email)
    having count(*) > 1

),

final as (

    select
        raw_customer_id,
        raw_first_name,
        raw_last_name,
        raw_email,
        raw_phone,
        raw_date_of_birth,
        raw_gender,
        raw_city,
        raw_state,
        raw_country,
        raw_postal_code,
        raw_signup_date,
        raw_account_status,
        raw_loyalty_points,
        raw_last_login,
        raw_customer_type,
        customer_id,
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
        loyalty_points,
        last_login,
        customer_type,
        line_number,
        line_text,
        reject_reason,
        reject_reason is null and copy_number > 1 as is_duplicate,
        email_text is not null and email is null as is_email_invalid,
        coalesce(
            reject_reason is null
            and copy_number = 1
            and lower(email) in (select shared_emails.email_key from shared_emails),
            false
        ) as is_email_shared,
        gender_text is not null and gender is null as is_gender_invalid,
        date_of_birth_text is not null and date_of_birth is null as is_date_of_birth_invalid,
        loyalty_points_text is not null and loyalty_points is null as is_loyalty_points_invalid,
        last_login_text is not null and last_login is null as is_last_login_invalid,
        customer_type_text is not null and customer_type is null as is_customer_type_invalid

    from ranked

)

select * from final
