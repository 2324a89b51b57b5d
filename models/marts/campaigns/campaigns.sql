{#
    The campaigns of campaigns.yml (docs/rules/campaigns.md), one row each, with their status as of the
    run: draft or cancelled when the file says so, otherwise scheduled until scheduled_at has
    passed, then sent, with the outcome its performance is measured on (conversion_categories,
    conversion_min_amount) and what each conversion costs (offer_cost). DuckDB only, like the Python
    model that validates the file (docs/decisions.md).
#}

{{ config(enabled=builds_duckdb_only_models()) }}

with

compiled as (

    select * from {{ ref('int_campaigns_compiled') }}

),

final as (

    select
        cast(campaign_id as varchar) as campaign_id,
        cast(campaign_name as varchar) as campaign_name,
        cast(campaign_type as varchar) as campaign_type,
        cast(channel as varchar) as channel,
        cast(segment_id as varchar) as segment_id,
        cast(scheduled_at as timestamp) as scheduled_at,
        cast(
            case
                when declared_status is not null then declared_status
                when {{ campaign_has_passed('scheduled_at') }} then 'sent'
                else 'scheduled'
            end as varchar
        ) as status,
        cast(holdout_pct as decimal(5, 2)) as holdout_pct,
        cast(audience_limit as integer) as audience_limit,
        cast(cost_per_message as decimal(18, 4)) as cost_per_message,
        cast(discount_pct as decimal(5, 2)) as discount_pct,
        cast(discount_code as varchar) as discount_code,
        cast(description as varchar) as description,
        cast(criteria as varchar) as criteria,
        cast(order_by_column || ' ' || order_by_direction as varchar) as order_by,
        -- the outcome: trimmed, lower-cased category names (null: any category) and a least amount (null: any)
        cast(conversion_categories as varchar[]) as conversion_categories,
        cast(conversion_min_amount as decimal(18, 2)) as conversion_min_amount,
        cast(offer_cost as decimal(18, 2)) as offer_cost

    from compiled

)

select * from final
