{#
    How each campaign did (spec section 11), from the campaign log and the clean transactions:
    one row per sent campaign of campaigns.yml and per other campaign the log names.

    Conversion: a positive transaction dated within conversion_window_days (var, default 14)
    after the send day (transaction_date after the date of sent_at, up to that date plus the
    window, and on or before the run's date A); a treatment customer's window starts at their
    own sent_at, the holdout's at the campaign's first sent_at. Revenue per member: the net amount
    (refunds included) of the member's transactions in that window, over the group's size.
    lift = conversion_rate - holdout_conversion_rate, relative_lift = lift / holdout rate,
    incremental_revenue = (treatment - holdout revenue per member) x treatment_size,
    cost = sent x cost_per_message, roi = (incremental_revenue - cost) / cost. Rates are decided on
    exact counts and rounded to 4 places for reading; a ratio over zero is null.
    consent_breaches: treatment deliveries to a customer not contactable at sent_at
    (int_campaign_deliveries_checked; the test assert_no_consent_breaches fails on any).
#}

{{ config(enabled=target.type == 'duckdb') }}

{%- set window_days = var('conversion_window_days') | int %}

with

campaigns as (

    select * from {{ ref('campaigns') }}

),

deliveries as (

    select * from {{ ref('stg_campaign_deliveries') }}

),

checked as (

    select * from {{ ref('int_campaign_deliveries_checked') }}

),

transactions as (

    select * from {{ ref('int_transactions_matched') }}
    where transaction_date <= {{ date_literal(as_of_date()) }}

),

first_sends as (

    select
        campaign_id,
        min(case when test_group = 'treatment' then sent_at end) as first_treatment_sent_at,
        min(sent_at) as first_sent_at

    from deliveries
    group by campaign_id

),

-- each member's window: their own send for the treatment group, the campaign's first send for the holdout
member_windows as (

    select
        deliveries.campaign_id,
        deliveries.customer_id,
        deliveries.test_group,
        cast(
            case
                when deliveries.test_group = 'treatment' then deliveries.sent_at
                else coalesce(first_sends.first_treatment_sent_at, first_sends.first_sent_at)
            end as date
        ) as window_start

    from deliveries
    inner join first_sends
        on deliveries.campaign_id = first_sends.campaign_id

),

member_outcomes as (

    select
        member_windows.campaign_id,
        member_windows.customer_id,
        member_windows.test_group,
        count(case when transactions.amount > 0 then 1 end) > 0 as has_converted,
        coalesce(sum(transactions.amount), 0) as window_revenue

    from member_windows
    left join transactions
        on member_windows.customer_id = transactions.customer_id
        and member_windows.window_start < transactions.transaction_date
        and member_windows.window_start + {{ window_days }} >= transactions.transaction_date
    group by member_windows.campaign_id, member_windows.customer_id, member_windows.test_group

),

outcome_counts as (

    select
        campaign_id,
        count(case when test_group = 'treatment' then 1 end) as treatment_size,
        count(case when test_group = 'holdout' then 1 end) as holdout_size,
        count(case when test_group = 'treatment' and has_converted then 1 end) as treatment_converted,
        count(case when test_group = 'holdout' and has_converted then 1 end) as holdout_converted,
        coalesce(sum(case when test_group = 'treatment' then window_revenue end), 0) as treatment_revenue,
        coalesce(sum(case when test_group = 'holdout' then window_revenue end), 0) as holdout_revenue

    from member_outcomes
    group by campaign_id

),

delivery_counts as (

    select
        campaign_id,
        count(case when test_group = 'treatment' then 1 end) as sent,
        count(case when test_group = 'treatment' and delivered then 1 end) as delivered,
        count(case when test_group = 'treatment' and bounced then 1 end) as bounced,
        count(case when test_group = 'treatment' and opened_at is not null then 1 end) as opened,
        count(case when test_group = 'treatment' and clicked_at is not null then 1 end) as clicked,
        count(case when test_group = 'treatment' and unsubscribed_at is not null then 1 end) as unsubscribed

    from deliveries
    group by campaign_id

),

breaches as (

    select
        campaign_id,
        count(case when is_consent_breach then 1 end) as consent_breaches

    from checked
    group by campaign_id

),

campaign_ids as (

    select campaign_id from campaigns
    where status = 'sent'
    union
    select campaign_id from delivery_counts

),

joined as (

    select
        campaign_ids.campaign_id,
        campaigns.cost_per_message,
        coalesce(outcome_counts.treatment_size, 0) as treatment_size,
        coalesce(outcome_counts.holdout_size, 0) as holdout_size,
        coalesce(outcome_counts.treatment_converted, 0) as treatment_converted,
        coalesce(outcome_counts.holdout_converted, 0) as holdout_converted,
        coalesce(outcome_counts.treatment_revenue, 0) as treatment_revenue,
        coalesce(outcome_counts.holdout_revenue, 0) as holdout_revenue,
        coalesce(delivery_counts.sent, 0) as sent,
        coalesce(delivery_counts.delivered, 0) as delivered,
        coalesce(delivery_counts.bounced, 0) as bounced,
        coalesce(delivery_counts.opened, 0) as opened,
        coalesce(delivery_counts.clicked, 0) as clicked,
        coalesce(delivery_counts.unsubscribed, 0) as unsubscribed,
        coalesce(breaches.consent_breaches, 0) as consent_breaches

    from campaign_ids
    left join campaigns
        on campaign_ids.campaign_id = campaigns.campaign_id
    left join outcome_counts
        on campaign_ids.campaign_id = outcome_counts.campaign_id
    left join delivery_counts
        on campaign_ids.campaign_id = delivery_counts.campaign_id
    left join breaches
        on campaign_ids.campaign_id = breaches.campaign_id

),

measured as (

    select
        *,
        case when treatment_size > 0 then treatment_revenue / treatment_size end as treatment_rpm,
        case when holdout_size > 0 then holdout_revenue / holdout_size end as holdout_rpm,
        case
            when treatment_size > 0 and holdout_size > 0
                then
                    cast(treatment_converted as double) / treatment_size
                    - cast(holdout_converted as double) / holdout_size
        end as exact_lift,
        sent * cost_per_message as exact_cost

    from joined

),

final as (

    select
        cast(campaign_id as varchar) as campaign_id,
        cast(treatment_size as bigint) as treatment_size,
        cast(holdout_size as bigint) as holdout_size,
        cast(sent as bigint) as sent,
        cast(delivered as bigint) as delivered,
        cast(bounced as bigint) as bounced,
        cast(opened as bigint) as opened,
        cast(clicked as bigint) as clicked,
        cast(unsubscribed as bigint) as unsubscribed,
        case when sent > 0 then {{ count_share('delivered', 'sent') }} end as delivery_rate,
        case when delivered > 0 then {{ count_share('opened', 'delivered') }} end as open_rate,
        case when delivered > 0 then {{ count_share('clicked', 'delivered') }} end as click_rate,
        case when opened > 0 then {{ count_share('clicked', 'opened') }} end as click_to_open_rate,
        case when treatment_size > 0 then {{ count_share('treatment_converted', 'treatment_size') }} end
            as conversion_rate,
        case when holdout_size > 0 then {{ count_share('holdout_converted', 'holdout_size') }} end
            as holdout_conversion_rate,
        cast(round(exact_lift, 4) as decimal(10, 4)) as lift,
        case
            when holdout_converted > 0
                then cast(round(exact_lift / (cast(holdout_converted as double) / holdout_size), 4) as decimal(10, 4))
        end as relative_lift,
        cast(round(treatment_rpm, 2) as decimal(18, 2)) as treatment_revenue_per_member,
        cast(round(holdout_rpm, 2) as decimal(18, 2)) as holdout_revenue_per_member,
        cast(round((treatment_rpm - holdout_rpm) * treatment_size, 2) as decimal(18, 2)) as incremental_revenue,
        cast(round(exact_cost, 2) as decimal(18, 2)) as cost, -- noqa: RF04
        case
            when exact_cost > 0
                then cast(
                        round(((treatment_rpm - holdout_rpm) * treatment_size - exact_cost) / exact_cost, 4)
                        as decimal(18, 4)
                    )
        end as roi,
        cast(consent_breaches as bigint) as consent_breaches

    from measured

)

select * from final
