{#
    The consent rule of docs/rules/campaigns.md, in one place: why a customer may not be contacted on a
    channel, as the reasons joined with ', ' in this fixed order ('no consent', 'notifications
    off', 'inactive account', 'suppressed', 'no valid contact', 'shared email'), or null when they
    may be. customer_contactability applies it as of the run's date, int_customer_channels_judged
    at every as-of date of the run (the audiences' selection dates), and campaign_performance's
    breach check (int_campaign_deliveries_checked) at each delivery's sent_at; each feeds it what
    was true then (the point-in-time macros below).

    The arguments are SQL expressions: the channel; the preference row's marketing_consent and
    notification_enabled (null when there is no row: no row means no consent; notifications
    unknown do not block, false does); the account status; whether the customer is suppressed;
    the customer's clean email (null when missing or without an @), whether it is shared with
    another customer, and their phone. Email needs a clean, unshared email; sms and phone a phone;
    push no contact detail (the app reaches the device).
#}
{% macro not_contactable_reasons(channel, consent, notification, account_status, is_suppressed, email, is_email_shared, phone) -%}
    nullif(concat_ws(', ',
        case when coalesce({{ consent }}, false) = false then 'no consent' end,
        case when {{ notification }} = false then 'notifications off' end,
        case when coalesce({{ account_status }}, '') <> 'Active' then 'inactive account' end,
        case when {{ is_suppressed }} then 'suppressed' end,
        case
            when {{ channel }} = 'email' and {{ email }} is null then 'no valid contact'
            when {{ channel }} in ('sms', 'phone') and {{ phone }} is null then 'no valid contact'
        end,
        case when {{ channel }} = 'email' and {{ email }} is not null and {{ is_email_shared }} then 'shared email' end
    ), '')
{%- endmacro %}


{#
    Point in time (docs/marketing.md#point-in-time-eligibility): what held at a past moment is the
    version of a row in force then. A version runs from valid_from (null: from the start) until
    valid_to (null: still in force): a preference from its updated_at to the next version's
    (stg_customer_preferences__history), a customer profile from dim_customer's valid_from to
    valid_to. `in_force_on_day` judges at the end of a day: a version updated during that day
    counts, one updated the day after does not. `in_force_at` judges at a timestamp (sent_at).
#}
{% macro in_force_on_day(valid_from, valid_to, day) -%}
    (
        ({{ valid_from }} is null or cast({{ valid_from }} as date) <= {{ day }})
        and ({{ valid_to }} is null or cast({{ valid_to }} as date) > {{ day }})
    )
{%- endmacro %}

{% macro in_force_at(valid_from, valid_to, moment) -%}
    (
        ({{ valid_from }} is null or {{ valid_from }} <= {{ moment }})
        and ({{ valid_to }} is null or {{ valid_to }} > {{ moment }})
    )
{%- endmacro %}


{#
    Whether a suppression row (left-joined: `customer_id` null when the customer has none) counts at
    the end of a day or at a timestamp: from its added_at on, and always without one. stg_suppressions
    keeps a customer's earliest row, so this is the customer's state then.
#}
{% macro suppressed_on_day(customer_id, added_at, day) -%}
    ({{ customer_id }} is not null and ({{ added_at }} is null or cast({{ added_at }} as date) <= {{ day }}))
{%- endmacro %}

{% macro suppressed_at(customer_id, added_at, moment) -%}
    ({{ customer_id }} is not null and ({{ added_at }} is null or {{ added_at }} <= {{ moment }}))
{%- endmacro %}


{# The channels a customer may be contacted on (docs/rules/campaigns.md), in the order the marts list them. #}
{% macro contact_channels() -%}
    {{ return(['email', 'sms', 'push', 'phone']) }}
{%- endmacro %}


{#
    Whether a campaign's scheduled_at has passed as of the run's date A: scheduled on or before A
    (the run sees all of A). A campaign that has passed is `sent` (unless declared draft or
    cancelled) and its audience is frozen (campaign_audiences).
#}
{% macro campaign_has_passed(scheduled_at) -%}
    (cast({{ scheduled_at }} as date) <= {{ date_literal(as_of_date()) }})
{%- endmacro %}


{#
    The holdout split's bucket (docs/rules/campaigns.md): md5 of `<campaign_id>:<customer_id>` (the id as
    decimal text), its first eight hex digits read as an unsigned 32-bit integer, mod 10000. A
    customer is in the holdout when the bucket is below holdout_pct * 100. md5 and hex digits are
    the same on every engine, so the split is too (reproduced in plain Python with hashlib.md5 in
    tests/unit/test_campaign_definitions.py and segmentation_tools/datagen/consent.py).
#}
{% macro holdout_bucket(campaign_id, customer_id) -%}
    {{ return(adapter.dispatch('holdout_bucket')(campaign_id, customer_id)) }}
{%- endmacro %}

{% macro holdout_hash_input(campaign_id, customer_id) -%}
    md5({{ campaign_id }} || ':' || cast({{ customer_id }} as {{ dbt.type_string() }}))
{%- endmacro %}

{% macro default__holdout_bucket(campaign_id, customer_id) -%}
    (cast(('0x' || substr({{ holdout_hash_input(campaign_id, customer_id) }}, 1, 8)) as bigint) % 10000)
{%- endmacro %}

{% macro postgres__holdout_bucket(campaign_id, customer_id) -%}
    (cast(cast(('x' || substr({{ holdout_hash_input(campaign_id, customer_id) }}, 1, 8)) as bit(32)) as bigint) % 10000)
{%- endmacro %}

{% macro spark__holdout_bucket(campaign_id, customer_id) -%}
    pmod(cast(conv(substr({{ holdout_hash_input(campaign_id, customer_id) }}, 1, 8), 16, 10) as bigint), 10000)
{%- endmacro %}
