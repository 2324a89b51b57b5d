{#
    Analytics per segment and recorded as-of date D (docs/rules/service.md; docs/service.md): one row for every segment
    of the catalog and every date of the membership store, whatever the segment's type. The window is the 90 days
    to D, D - 90 to D inclusive, as the segments' own 90-day windows are (docs/decisions.md).

    Members are the store's rows of D. Revenue is the net amount (refunds included) of the members' clean
    transactions in the window; a member is active with a positive transaction in it and their purchase days are
    the days with one. growth_rate and retention_rate compare with the previous recorded date (null at the first,
    and where the segment had no members then). The lifetime-value averages are over the members with a value
    (customer_lifetime_value of D; null where no member has one, e.g. a fit that is not identified). Campaigns count
    when their segment is this one and their first send (the first treatment send, else the first send, as
    campaign_performance dates a campaign) falls in the window; their rates are campaign_performance's, averaged
    over the campaigns that have one (a channel without opens has no open_rate).

    The member figures are computed once per recorded date (int_segment_members_summarized); the catalog, the
    campaigns and the comparisons with the previous date are joined again on every run, so a new segment gets its
    rows for every recorded date and a campaign's figures are current. DuckDB only, since it reads the
    lifetime-value and campaign marts, which only DuckDB builds.
#}

{{ config(enabled=builds_duckdb_only_models()) }}

with

memberships as (

    select * from {{ ref('segment_membership_snapshots') }}

),

catalog as (

    select * from {{ ref('segments') }}

),

figures as (

    select * from {{ ref('int_segment_members_summarized') }}

),

campaigns as (

    select * from {{ ref('campaigns') }}

),

deliveries as (

    select * from {{ ref('int_campaign_deliveries_matched') }}

),

performance as (

    select * from {{ ref('campaign_performance') }}

),

recorded_dates as (

    select
        as_of_date,
        cast(as_of_date - interval 90 day as date) as window_start,
        lag(as_of_date) over (order by as_of_date) as previous_date

    from (select distinct as_of_date from memberships) as distinct_dates

),

all_customers_revenue as (

    select
        as_of_date,
        max(all_customers_revenue) as net_revenue

    from figures
    group by as_of_date

),

first_sends as (

    select
        campaign_id,
        cast(
            coalesce(min(case when test_group = 'treatment' then sent_at end), min(sent_at)) as date
        ) as first_sent_date

    from deliveries
    group by campaign_id

),

segment_campaigns as (

    select
        recorded_dates.as_of_date,
        campaigns.segment_id,
        count(*) as campaigns_sent,
        avg(performance.open_rate) as open_rate,
        avg(performance.click_rate) as click_rate,
        avg(performance.conversion_rate) as conversion_rate

    from campaigns
    inner join first_sends
        on campaigns.campaign_id = first_sends.campaign_id
    inner join recorded_dates
        on first_sends.first_sent_date between recorded_dates.window_start and recorded_dates.as_of_date
    left join performance
        on campaigns.campaign_id = performance.campaign_id
    where campaigns.segment_id is not null
    group by recorded_dates.as_of_date, campaigns.segment_id

),

segment_dates as (

    select
        catalog.segment_id,
        catalog.segment_name,
        catalog.segment_type,
        recorded_dates.as_of_date,
        recorded_dates.previous_date,
        coalesce(figures.total_customers, 0) as total_customers,
        coalesce(figures.active_customers, 0) as active_customers,
        coalesce(figures.total_revenue, 0) as total_revenue,
        coalesce(figures.purchase_days, 0) as purchase_days,
        figures.average_predicted_ltv_1year,
        figures.average_churn_probability,
        previous_figures.total_customers as previous_customers,
        coalesce(figures.retained_customers, 0) as retained_customers,
        all_customers_revenue.net_revenue as all_customers_revenue,
        coalesce(segment_campaigns.campaigns_sent, 0) as campaigns_sent,
        segment_campaigns.open_rate,
        segment_campaigns.click_rate,
        segment_campaigns.conversion_rate

    from catalog
    cross join recorded_dates
    left join figures
        on catalog.segment_id = figures.segment_id
        and recorded_dates.as_of_date = figures.as_of_date
    left join figures as previous_figures
        on catalog.segment_id = previous_figures.segment_id
        and recorded_dates.previous_date = previous_figures.as_of_date
    left join all_customers_revenue
        on recorded_dates.as_of_date = all_customers_revenue.as_of_date
    left join segment_campaigns
        on catalog.segment_id = segment_campaigns.segment_id
        and recorded_dates.as_of_date = segment_campaigns.as_of_date

),

final as (

    select
        cast(segment_id as varchar) as segment_id,
        cast(segment_name as varchar) as segment_name,
        cast(segment_type as varchar) as segment_type,
        as_of_date,
        cast(total_customers as bigint) as total_customers,
        cast(active_customers as bigint) as active_customers,
        case
            when previous_customers > 0
                then cast({{ count_share('total_customers', 'previous_customers') }} - 1 as decimal(10, 4))
        end as growth_rate,
        cast(total_revenue as decimal(18, 2)) as total_revenue,
        case
            when total_customers > 0 then {{ rounded_ratio('total_revenue', 'total_customers') }}
        end as average_revenue_per_customer,
        case
            when all_customers_revenue <> 0
                then cast(
                        {{ rounded_ratio('total_revenue', 'all_customers_revenue', 100) }}
                        * cast(0.01 as decimal(3, 2))
                        as decimal(10, 4)
                    )
        end as revenue_contribution,
        case
            when total_customers > 0 then {{ count_share('purchase_days', 'total_customers') }}
        end as average_order_frequency,
        cast(round(average_predicted_ltv_1year, 2) as decimal(18, 2)) as average_predicted_ltv_1year,
        cast(round(average_churn_probability, 4) as decimal(10, 4)) as average_churn_probability,
        case
            when previous_customers > 0 then {{ count_share('retained_customers', 'previous_customers') }}
        end as retention_rate,
        cast(campaigns_sent as bigint) as campaigns_sent,
        cast(round(open_rate, 4) as decimal(10, 4)) as open_rate,
        cast(round(click_rate, 4) as decimal(10, 4)) as click_rate,
        cast(round(conversion_rate, 4) as decimal(10, 4)) as conversion_rate

    from segment_dates

)

select * from final
