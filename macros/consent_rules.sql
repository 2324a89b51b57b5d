{#
    The consent rule of spec section 11, in one place: why a customer may not be contacted on a
    channel, as the reasons joined with ', ' in this fixed order ('no consent', 'notifications
    off', 'inactive account', 'suppressed', 'no valid contact', 'shared email'), or null when they
    may be. customer_contactability applies it as of the run's date; campaign_performance's breach
    check (int_campaign_deliveries_checked) applies it at each delivery's sent_at.

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


{# The channels a customer may be contacted on (spec section 11), in the order the marts list them. #}
{% macro contact_channels() -%}
    {{ return(['email', 'sms', 'push', 'phone']) }}
{%- endmacro %}
