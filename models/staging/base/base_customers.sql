{#
    The clean and rejected staging models are filters of this one table, so the raw file is read
    once and each row lands in exactly one of clean, rejected or duplicate. Duplicates of a
    customer_id: the kept row is chosen by content, not file order, so a rebuild from the same file
    always keeps the same row. Malformed profile fields and the optional columns are nulled and
    counted, not rejected (docs/rules/cleaning.md, docs/rules/raw-input.md).
    The shape every base model shares is macros/base_model.sql.
#}

{%- set a = as_of_windows() %}

{%- set date_of_birth_in_range %}
case
    when
        {{ complete_months_between('date_of_birth_parsed', date_literal(a.as_of)) }}
        between 18 * 12 and 121 * 12 - 1
        then date_of_birth_parsed
end
{%- endset %}

{#-
    An email is meant to identify one customer (customer schema notes); when kept customers share
    one, nobody can tell whose it is, so each of them is flagged, and the address is kept.
-#}
{%- set shared_emails %}
shared_emails as (

    select lower(email) as email_key
    from ranked
    where reject_reason is null
        and copy_number = 1
        and email is not null
    group by lower(email)
    having count(*) > 1

)
{%- endset %}

{%- set email_is_shared %}
coalesce(
    reject_reason is null
    and copy_number = 1
    and lower(email) in (select shared_emails.email_key from shared_emails),
    false
) as is_email_shared
{%- endset %}

{{ base_model(
    source_table='customers',
    raw_columns=[
        'customer_id', 'first_name', 'last_name', 'email', 'phone', 'date_of_birth', 'gender', 'city',
        'state', 'country', 'postal_code', 'signup_date', 'account_status', 'loyalty_points', 'last_login',
        'customer_type',
    ],
    header_columns=[
        'customer_id', 'first_name', 'last_name', 'email', 'phone', 'date_of_birth', 'gender',
        'city', 'state', 'country', 'postal_code', 'signup_date', 'account_status',
    ],
    fields=[
        {'column': 'customer_id', 'parse': 'integer', 'required': true},
        {'column': 'first_name'},
        {'column': 'last_name'},
        {'column': 'email', 'refine': "case when email_text like '%_@_%' then email_text end"},
        {'column': 'phone'},
        {'column': 'date_of_birth', 'parse': 'iso_date', 'refine': date_of_birth_in_range},
        {
            'column': 'gender',
            'refine': "case lower(gender_text) when 'male' then 'Male' when 'female' then 'Female'"
                ~ " when 'other' then 'Other' end",
        },
        {'column': 'city'},
        {'column': 'state'},
        {'column': 'country'},
        {'column': 'postal_code'},
        {'column': 'signup_date', 'parse': 'iso_date', 'required': true},
        {'column': 'account_status'},
        {
            'column': 'loyalty_points',
            'parse': 'integer',
            'refine': 'case when loyalty_points_parsed >= 0 then loyalty_points_parsed end',
        },
        {'column': 'last_login', 'parse': 'iso_timestamp'},
        {
            'column': 'customer_type',
            'refine': "case lower(customer_type_text) when 'individual' then 'individual'"
                ~ " when 'business' then 'business' end",
        },
    ],
    checks=["when signup_date < " ~ date_literal('1900-01-01') ~ " then 'signup_date is before 1900'"],
    dedup_key=['customer_id'],
    dedup_order=[
        'signup_date', 'raw_first_name', 'raw_last_name', 'raw_email', 'raw_phone', 'raw_date_of_birth',
        'raw_gender', 'raw_city', 'raw_state', 'raw_country', 'raw_postal_code', 'raw_account_status',
        'raw_loyalty_points', 'raw_last_login', 'raw_customer_type',
    ],
    extra_ctes=shared_emails,
    flags=[
        'email_text is not null and email is null as is_email_invalid',
        email_is_shared,
        'gender_text is not null and gender is null as is_gender_invalid',
        'date_of_birth_text is not null and date_of_birth is null as is_date_of_birth_invalid',
        'loyalty_points_text is not null and loyalty_points is null as is_loyalty_points_invalid',
        'last_login_text is not null and last_login is null as is_last_login_invalid',
        'customer_type_text is not null and customer_type is null as is_customer_type_invalid',
    ],
    materialized_on=['postgres'],
) }}
