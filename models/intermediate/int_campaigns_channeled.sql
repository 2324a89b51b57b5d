{#
    Each campaign's channel (docs/rules/campaigns.md), which the delivery log does not carry: one row per
    campaign. campaigns.yml says it, and only a dbt Python model can read the file, so on DuckDB this
    reads int_campaigns_compiled; on engines that run no Python model (Postgres, Spark) the channels
    come from the var `campaign_channels` ({campaign_id: channel}), which the portability check
    passes from the same file; without it no campaign's channel is known there (docs/engines.md).
    One model on every engine, so what reads the channels is the same everywhere.
#}

{%- set channels = var('campaign_channels') %}
{%- if channels is not mapping %}
    {{ exceptions.raise_compiler_error(
        "var campaign_channels must be a mapping of campaign id to channel, got " ~ channels
    ) }}
{%- endif %}

with

{%- if builds_duckdb_only_models() %}

compiled as (

    select * from {{ ref('int_campaigns_compiled') }}

),

channels as (

    select
        campaign_id,
        channel

    from compiled

),
{%- else %}

channels as (
    {%- for campaign_id, channel in channels.items() %}

    select
        {{ text_literal(campaign_id | string) }} as campaign_id,
        {{ text_literal(channel | string | lower) }} as channel
    {%- if not loop.last %}

    union all
    {%- endif %}
    {%- endfor %}
    {%- if not channels %}

    select
        cast(null as {{ dbt.type_string() }}) as campaign_id,
        cast(null as {{ dbt.type_string() }}) as channel

    where 1 = 0
    {%- endif %}

),
{%- endif %}

final as (

    select
        cast(campaign_id as {{ dbt.type_string() }}) as campaign_id,
        cast(channel as {{ dbt.type_string() }}) as channel

    from channels

)

select * from final
