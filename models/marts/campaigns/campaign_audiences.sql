{#
    Each campaign's audience (docs/rules/campaigns.md): one row per campaign and selected customer.
    Eligible: a member of the campaign's segment at selected_at, meeting its criteria there, and
    contactable on its channel then (int_customer_channels_judged: the consent rule with the
    preference version, suppressions and account status in force at selected_at, so a rebuild of
    the same files selects the same customers whatever changed after it);
    ordered by the campaign's order_by (nulls last) then customer_id; cut at its limit; then
    `holdout` when holdout_bucket (macros/consent_rules.sql) is below holdout_pct * 100, else
    `treatment`. selected_at is the latest as-of date of the build on or before scheduled_at; a
    campaign with no such date gets no audience. Draft and cancelled campaigns get none.

    Frozen once scheduled_at has passed: incremental, and a campaign that has passed and already
    has rows is never selected again; the pre-hook deletes only the rows of campaigns that have
    not passed, which every build selects afresh. So the audience a campaign went out to is the
    one selected at the last build before it passed (or, on a first build, at the latest
    backfilled date before it), whatever later builds find. `--full-refresh` reselects every
    campaign from the dates of that build. DuckDB only, like the campaign definitions.
#}

-- depends_on: {{ ref('campaigns') }}

{{ config(
    enabled=builds_duckdb_only_models(),
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{% if is_incremental() %}delete from {{ this }} where campaign_id not in (select campaign_id from {{ ref('campaigns') }} where {{ campaign_has_passed('scheduled_at') }}){% endif %}",
) }}

{%- set compiled = ref('int_campaigns_compiled') %}
{%- set campaign_rows = [] %}
{%- set frozen = [] %}
{%- if execute and adapter.get_relation(compiled.database, compiled.schema, compiled.identifier) is not none %}
    {%- set campaign_rows = run_query(
        "select campaign_id, segment_id, channel, predicate, order_by_column, order_by_direction, audience_limit,"
        ~ " holdout_pct, cast(scheduled_at as varchar), " ~ campaign_has_passed('scheduled_at') ~ " as has_passed"
        ~ " from " ~ compiled ~ " where declared_status is null order by campaign_id"
    ).rows %}
    {%- if is_incremental() %}
        {%- for row in run_query('select distinct campaign_id from ' ~ this).rows %}
            {%- do frozen.append(row[0]) %}
        {%- endfor %}
    {%- endif %}
{%- endif %}
{%- set dates = as_of_dates() %}
{%- set selections = [] %}
{%- for campaign in campaign_rows if not (campaign[9] and campaign[0] in frozen) %}
    {%- set selected = namespace(date=none) %}
    {%- for date in dates if date <= campaign[8][:10] %}
        {%- set selected.date = date %}
    {%- endfor %}
    {%- if selected.date is not none %}
        {%- do selections.append({'campaign': campaign, 'selected_at': selected.date}) %}
    {%- endif %}
{%- endfor %}

with

-- read only in the per-campaign selects (none without campaigns)
featured as ( -- noqa: ST03

    select * from {{ ref('int_customers_featured') }}

),

-- read only in the per-campaign selects (none without campaigns)
memberships as ( -- noqa: ST03

    select * from {{ ref('int_segment_memberships_listed') }}

),

-- read only in the per-campaign selects (none without campaigns)
contactability as ( -- noqa: ST03

    select * from {{ ref('int_customer_channels_judged') }}

),

ranked as (

    {%- for selection in selections %}
    {%- set c = selection.campaign %}

    select
        {{ sql_string_literal(c[0]) }} as campaign_id,
        featured.customer_id,
        {{ sql_string_literal(c[2]) }} as channel,
        {{ date_literal(selection.selected_at) }} as selected_at,
        cast({{ c[7] }} as decimal(5, 2)) as holdout_pct,
        row_number() over (
            order by featured.{{ c[4] }} {{ c[5] }} nulls last, featured.customer_id
        ) as audience_rank

    -- the criteria read the featured row's own columns, unqualified, so they are applied before any join
    from (
        select * from featured
        where as_of_date = {{ date_literal(selection.selected_at) }}
            and ({{ c[3] }})
    ) as featured
    inner join memberships
        on featured.customer_id = memberships.customer_id
        and featured.as_of_date = memberships.as_of_date
    inner join contactability
        on featured.customer_id = contactability.customer_id
        and featured.as_of_date = contactability.as_of_date
    where memberships.segment_id = {{ sql_string_literal(c[1]) }}
        and contactability.channel = {{ sql_string_literal(c[2]) }}
        and contactability.is_contactable
    {%- if c[6] is not none %}
    qualify audience_rank <= {{ c[6] | int }}
    {%- endif %}

    union all
    {%- endfor %}

    -- typed, empty: the union's last member, so no campaign leaves a valid query
    select
        cast(null as varchar) as campaign_id,
        cast(null as bigint) as customer_id,
        cast(null as varchar) as channel,
        cast(null as date) as selected_at,
        cast(null as decimal(5, 2)) as holdout_pct,
        cast(null as bigint) as audience_rank
    where false

),

final as (

    select
        cast(campaign_id as varchar) as campaign_id,
        cast(customer_id as bigint) as customer_id,
        cast(
            case
                when {{ holdout_bucket('campaign_id', 'customer_id') }} < holdout_pct * 100 then 'holdout'
                else 'treatment'
            end as varchar
        ) as test_group,
        cast(audience_rank as integer) as audience_rank,
        cast(channel as varchar) as channel,
        cast(selected_at as date) as selected_at

    from ranked

)

select * from final
