{#
    The optional customer_preferences file (docs/rules/raw-input.md), typed once. The file is a history: a
    customer and channel may have several rows over time, each a version of the preference from its
    updated_at (a missing updated_at counts as the oldest) until the next version's updated_at
    (superseded_at; null for the version in force now). A repeated version (same customer, channel
    and updated_at) keeps the row that grants less (no consent before unknown before consent, and
    so for the two other flags), then the raw text, so the pick never depends on file order; the
    other copies are duplicates. stg_customer_preferences__history (every version),
    stg_customer_preferences (the latest version of each channel) and the rejects are filters of
    this table, so each row lands in exactly one of clean, rejected or duplicate. Without a file,
    raw.customer_preferences has no rows and neither has this.
    The shape every base model shares is macros/base_model.sql.
#}

{%- set version_at = "coalesce(updated_at, cast('1900-01-01 00:00:00' as timestamp))" %}

{#- false, then unknown, then true: the copy that grants less first -#}
{%- set grants_less_first = [] %}
{%- for flag in ['marketing_consent', 'notification_enabled', 'newsletter_subscription'] %}
    {%- do grants_less_first.append(
        'case when ' ~ flag ~ ' = false then 0 when ' ~ flag ~ ' is null then 1 else 2 end asc'
    ) %}
{%- endfor %}

{#- each kept version with the moment the next version of the channel replaced it -#}
{%- set versions %}
versions as (

    select
        customer_id,
        channel,
        {{ version_at }} as version_at,
        lead(updated_at) over (
            partition by customer_id, channel
            order by {{ version_at }}
        ) as superseded_at

    from ranked
    where reject_reason is null
        and copy_number = 1

),

versioned as (

    select
        ranked.*,
        versions.superseded_at

    from ranked
    left join versions
        on ranked.reject_reason is null
        and ranked.copy_number = 1
        and ranked.customer_id = versions.customer_id
        and ranked.channel = versions.channel
        and coalesce(ranked.updated_at, cast('1900-01-01 00:00:00' as timestamp)) = versions.version_at

)
{%- endset %}

{{ base_model(
    source_table='customer_preferences',
    raw_columns=[
        'customer_id', 'communication_channel', 'marketing_consent', 'notification_enabled',
        'newsletter_subscription', 'preferred_language', 'time_zone', 'updated_at',
    ],
    header_columns=['customer_id', 'communication_channel', 'marketing_consent'],
    fields=[
        {'column': 'customer_id', 'parse': 'integer', 'required': true},
        {'column': 'communication_channel', 'as': 'channel', 'parse': 'channel', 'required': true},
        {'column': 'marketing_consent', 'parse': 'boolean'},
        {'column': 'notification_enabled', 'parse': 'boolean'},
        {'column': 'newsletter_subscription', 'parse': 'boolean'},
        {'column': 'preferred_language'},
        {'column': 'time_zone'},
        {'column': 'updated_at', 'parse': 'iso_timestamp', 'invalid': 'reject'},
    ],
    dedup_key=['customer_id', 'channel', version_at],
    dedup_order=grants_less_first + [
        'raw_communication_channel asc', 'raw_marketing_consent asc', 'raw_notification_enabled asc',
        'raw_newsletter_subscription asc', 'raw_preferred_language asc', 'raw_time_zone asc',
    ],
    extra_ctes=versions,
    final_from='versioned',
    extra_columns=['superseded_at'],
    flags=['superseded_at is not null as is_superseded'],
) }}
