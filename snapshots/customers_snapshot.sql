{#
    Type-2 history of the clean customer profiles. Versions are stamped with the as-of date
    (macros/snapshot_get_time.sql); a customer who signs up after the as-of date is not
    recorded yet. A customer missing from a later delivery keeps its last version open:
    the raw feed is not a full-state extract we can read deletions from. A run for a date before
    the latest recorded version records no versions: a change seen then would be stamped before
    versions that already exist, and a customer's versions must stay in order.
#}
{% snapshot customers_snapshot %}

{{ config(unique_key='customer_id', strategy='check', check_cols='all') }}

{%- set as_of = date_literal(as_of_date()) %}
{%- set recorded = adapter.get_relation(this.database, this.schema, this.identifier) if execute else none %}

select
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
    account_status

from {{ ref('stg_customers') }}
where signup_date <= {{ as_of }}
{%- if recorded is not none %}
    and {{ as_of }} >= (select coalesce(cast(max(dbt_valid_from) as date), {{ as_of }}) from {{ recorded }})
{%- endif %}

{% endsnapshot %}
