{#
    How each campaign did (docs/rules/campaigns.md and docs/rules/lifetime-value.md, docs/marketing.md#reading-lift): one row per sent
    campaign of campaigns.yml and per other campaign the log names.

    Who counts (intention to treat): a campaign with a frozen audience (scheduled_at passed,
    campaign_audiences has rows) is measured on that audience, every member in the group they were
    selected into, whether or not the log shows a message reached them; other campaigns on the
    log's own groups. off_audience_deliveries counts the log's rows for customers outside the
    audience (int_campaign_deliveries_checked; the test assert_deliveries_within_audiences warns).

    Conversion: a positive transaction, in one of the campaign's conversion_categories (trimmed,
    case-insensitive, as the category map matches) when it names any, of at least
    conversion_min_amount when it names one, dated within conversion_window_days (var, default 14)
    after the send day (transaction_date after the date of the send, up to that date plus the
    window, and on or before the run's date A). A treatment member's window starts at their own
    sent_at, or at the campaign's first sent_at when the log has no row for them; the holdout's at
    the campaign's first sent_at. Without a send in the log nothing is known (null). Revenue per
    member: the net amount (refunds included, every category) of the member's transactions in
    their window, over the group's size.

    The statistics are macros/campaign_statistics.sql: the Newcombe interval of the lift, the
    pooled z-test's p-value, the minimum detectable lift, the interval of incremental revenue.
    cost = sent x cost_per_message + treatment conversions x offer_cost; roi = (incremental_revenue
    - cost) / cost, null when the cost is zero or unknown. Rates are decided on exact counts and
    rounded to 4 places for reading; a ratio over zero is null. open_rate and click_to_open_rate are
    null for channels without open tracking (sms, phone).
    consent_breaches: treatment deliveries to a customer not contactable at sent_at
    (int_campaign_deliveries_checked; the test assert_no_consent_breaches fails on any).
#}

{{ config(enabled=builds_duckdb_only_models()) }}

{%- set window_days = var('conversion_window_days') | int %}

with

campaigns as (

    select * from {{ ref('campaigns') }}

),

deliveries as (

    select * from {{ ref('int_campaign_deliveries_matched') }}

),

checked as (

    select * from {{ ref('int_campaign_deliveries_checked') }}

),

audiences as (

    select * from {{ ref('campaign_audiences') }}

),

transactions as (

    select * from {{ ref('int_transactions_matched') }}
    where transaction_date <= {{ date_literal(as_of_date()) }}

),

first_sends as (

    select
        campaign_id,
        coalesce(min(case when test_group = 'treatment' then sent_at end), min(sent_at)) as first_sent_at

    from deliveries
    group by campaign_id

),

frozen_audiences as (

    select
        audiences.campaign_id,
        audiences.customer_id,
        audiences.test_group

    from audiences
    inner join campaigns
        on audiences.campaign_id = campaigns.campaign_id
    where {{ campaign_has_passed('campaigns.scheduled_at') }}

),

-- intention to treat: as selected when the campaign has a frozen audience, else as the log lists them
members as (

    select * from frozen_audiences

    union all

    select
        deliveries.campaign_id,
        deliveries.customer_id,
        deliveries.test_group

    from deliveries
    where deliveries.campaign_id not in (select frozen_audiences.campaign_id from frozen_audiences)

),

member_windows as (

    select
        members.campaign_id,
        members.customer_id,
        members.test_group,
        cast(
            case
                when members.test_group = 'treatment' then coalesce(own_sends.sent_at, first_sends.first_sent_at)
                else first_sends.first_sent_at
            end as date
        ) as window_start,
        campaigns.conversion_categories,
        campaigns.conversion_min_amount

    from members
    left join deliveries as own_sends
        on members.campaign_id = own_sends.campaign_id
        and members.customer_id = own_sends.customer_id
    left join first_sends
        on members.campaign_id = first_sends.campaign_id
    left join campaigns
        on members.campaign_id = campaigns.campaign_id

),

member_outcomes as (

    select
        member_windows.campaign_id,
        member_windows.customer_id,
        member_windows.test_group,
        count(
            case
                when transactions.amount > 0
                    and (
                        member_windows.conversion_categories is null
                        or coalesce(
                            list_contains(
                                member_windows.conversion_categories, lower(trim(transactions.merchant_category))
                            ),
                            false
                        )
                    )
                    and (
                        member_windows.conversion_min_amount is null
                        or transactions.amount >= member_windows.conversion_min_amount
                    )
                    then 1
            end
        ) > 0 as has_converted,
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
        member_outcomes.campaign_id,
        count(case when member_outcomes.test_group = 'treatment' then 1 end) as treatment_size,
        count(case when member_outcomes.test_group = 'holdout' then 1 end) as holdout_size,
        count(case when member_outcomes.test_group = 'treatment' and member_outcomes.has_converted then 1 end)
            as treatment_converted,
        count(case when member_outcomes.test_group = 'holdout' and member_outcomes.has_converted then 1 end)
            as holdout_converted,
        coalesce(sum(case when member_outcomes.test_group = 'treatment' then member_outcomes.window_revenue end), 0)
            as treatment_revenue,
        coalesce(sum(case when member_outcomes.test_group = 'holdout' then member_outcomes.window_revenue end), 0)
            as holdout_revenue,
        var_samp(case when member_outcomes.test_group = 'treatment' then member_outcomes.window_revenue end)
            as treatment_revenue_variance,
        var_samp(case when member_outcomes.test_group = 'holdout' then member_outcomes.window_revenue end)
            as holdout_revenue_variance

    from member_outcomes
    group by member_outcomes.campaign_id

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

checked_counts as (

    select
        campaign_id,
        count(case when is_consent_breach then 1 end) as consent_breaches,
        count(case when not is_in_audience then 1 end) as off_audience_deliveries

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
        campaigns.channel,
        campaigns.cost_per_message,
        campaigns.offer_cost,
        campaigns.conversion_categories,
        campaigns.conversion_min_amount,
        first_sends.first_sent_at is not null as has_sends,
        coalesce(outcome_counts.treatment_size, 0) as treatment_size,
        coalesce(outcome_counts.holdout_size, 0) as holdout_size,
        coalesce(outcome_counts.treatment_converted, 0) as treatment_converted,
        coalesce(outcome_counts.holdout_converted, 0) as holdout_converted,
        coalesce(outcome_counts.treatment_revenue, 0) as treatment_revenue,
        coalesce(outcome_counts.holdout_revenue, 0) as holdout_revenue,
        outcome_counts.treatment_revenue_variance,
        outcome_counts.holdout_revenue_variance,
        coalesce(delivery_counts.sent, 0) as sent,
        coalesce(delivery_counts.delivered, 0) as delivered,
        coalesce(delivery_counts.bounced, 0) as bounced,
        coalesce(delivery_counts.opened, 0) as opened,
        coalesce(delivery_counts.clicked, 0) as clicked,
        coalesce(delivery_counts.unsubscribed, 0) as unsubscribed,
        coalesce(checked_counts.consent_breaches, 0) as consent_breaches,
        coalesce(checked_counts.off_audience_deliveries, 0) as off_audience_deliveries

    from campaign_ids
    left join campaigns
        on campaign_ids.campaign_id = campaigns.campaign_id
    left join first_sends
        on campaign_ids.campaign_id = first_sends.campaign_id
    left join outcome_counts
        on campaign_ids.campaign_id = outcome_counts.campaign_id
    left join delivery_counts
        on campaign_ids.campaign_id = delivery_counts.campaign_id
    left join checked_counts
        on campaign_ids.campaign_id = checked_counts.campaign_id

),

-- the outcome is known once the log shows the campaign went out; before that no conversion can be counted
measured as (

    select
        *,
        case when has_sends then treatment_converted end as treatment_conversions,
        case when has_sends then holdout_converted end as holdout_conversions,
        case when has_sends and treatment_size > 0 then treatment_revenue / treatment_size end as treatment_rpm,
        case when has_sends and holdout_size > 0 then holdout_revenue / holdout_size end as holdout_rpm,
        case when has_sends and holdout_size > 0 then cast(holdout_converted as double) / holdout_size end
            as exact_holdout_rate

    from joined

),

tested as (

    select
        *,
        case
            when has_sends
                then {{ pooled_z('treatment_converted', 'treatment_size', 'holdout_converted', 'holdout_size') }}
        end as z_statistic,
        case
            when has_sends
                then {{ lift_ci_low('treatment_converted', 'treatment_size', 'holdout_converted', 'holdout_size') }}
        end as exact_lift_ci_low,
        case
            when has_sends
                then {{ lift_ci_high('treatment_converted', 'treatment_size', 'holdout_converted', 'holdout_size') }}
        end as exact_lift_ci_high,
        case
            when treatment_size > 0 and holdout_size > 0
                then cast(treatment_conversions as double) / treatment_size - exact_holdout_rate
        end as exact_lift,
        (treatment_rpm - holdout_rpm) * treatment_size as exact_incremental_revenue,
        sent * cost_per_message
        + case when coalesce(offer_cost, 0) = 0 then 0 else treatment_conversions * offer_cost end as exact_cost

    from measured

),

detectable as (

    {{ minimum_detectable_lifts(
        "(select campaign_id, treatment_size as n1, holdout_size as n0, exact_holdout_rate as p0 from tested)",
        ['campaign_id'],
    ) }}

),

final as (

    select
        cast(tested.campaign_id as varchar) as campaign_id,
        cast(tested.treatment_size as bigint) as treatment_size,
        cast(tested.holdout_size as bigint) as holdout_size,
        cast(tested.treatment_conversions as bigint) as treatment_conversions,
        cast(tested.holdout_conversions as bigint) as holdout_conversions,
        cast(tested.off_audience_deliveries as bigint) as off_audience_deliveries,
        cast(tested.sent as bigint) as sent,
        cast(tested.delivered as bigint) as delivered,
        cast(tested.bounced as bigint) as bounced,
        cast(tested.opened as bigint) as opened,
        cast(tested.clicked as bigint) as clicked,
        cast(tested.unsubscribed as bigint) as unsubscribed,
        case when tested.sent > 0 then {{ count_share('tested.delivered', 'tested.sent') }} end as delivery_rate,
        case
            when tested.delivered > 0 and {{ has_open_tracking('tested.channel') }}
                then {{ count_share('tested.opened', 'tested.delivered') }}
        end as open_rate,
        case when tested.delivered > 0 then {{ count_share('tested.clicked', 'tested.delivered') }} end as click_rate,
        case
            when tested.opened > 0 and {{ has_open_tracking('tested.channel') }}
                then {{ count_share('tested.clicked', 'tested.opened') }}
        end as click_to_open_rate,
        case
            when tested.treatment_size > 0
                then {{ count_share('tested.treatment_conversions', 'tested.treatment_size') }}
        end as conversion_rate,
        case
            when tested.holdout_size > 0 then {{ count_share('tested.holdout_conversions', 'tested.holdout_size') }}
        end as holdout_conversion_rate,
        cast(round(tested.exact_lift, 4) as decimal(10, 4)) as lift,
        cast(round(tested.exact_lift_ci_low, 4) as decimal(10, 4)) as lift_ci_low,
        cast(round(tested.exact_lift_ci_high, 4) as decimal(10, 4)) as lift_ci_high,
        cast({{ two_sided_p_value('tested.z_statistic') }} as double) as p_value,
        {{ two_sided_p_value('tested.z_statistic') }} < 0.05 as is_significant,
        cast(round(detectable.minimum_detectable_lift, 4) as decimal(10, 4)) as minimum_detectable_lift,
        case
            when tested.exact_holdout_rate > 0
                then cast(round(tested.exact_lift / tested.exact_holdout_rate, 4) as decimal(10, 4))
        end as relative_lift,
        cast(round(tested.treatment_rpm, 2) as decimal(18, 2)) as treatment_revenue_per_member,
        cast(round(tested.holdout_rpm, 2) as decimal(18, 2)) as holdout_revenue_per_member,
        cast(round(tested.exact_incremental_revenue, 2) as decimal(18, 2)) as incremental_revenue,
        cast(
            round(
                {{ incremental_revenue_ci(
                    'low', 'tested.treatment_rpm', 'tested.treatment_revenue_variance', 'tested.treatment_size',
                    'tested.holdout_rpm', 'tested.holdout_revenue_variance', 'tested.holdout_size',
                ) }},
                2
            ) as decimal(18, 2)
        ) as incremental_revenue_ci_low,
        cast(
            round(
                {{ incremental_revenue_ci(
                    'high', 'tested.treatment_rpm', 'tested.treatment_revenue_variance', 'tested.treatment_size',
                    'tested.holdout_rpm', 'tested.holdout_revenue_variance', 'tested.holdout_size',
                ) }},
                2
            ) as decimal(18, 2)
        ) as incremental_revenue_ci_high,
        cast(tested.conversion_categories as varchar[]) as conversion_categories,
        cast(tested.conversion_min_amount as decimal(18, 2)) as conversion_min_amount,
        cast(tested.offer_cost as decimal(18, 2)) as offer_cost,
        cast(round(tested.exact_cost, 2) as decimal(18, 2)) as cost, -- noqa: RF04
        case
            when tested.exact_cost > 0
                then cast(
                        round((tested.exact_incremental_revenue - tested.exact_cost) / tested.exact_cost, 4)
                        as decimal(18, 4)
                    )
        end as roi,
        cast(tested.consent_breaches as bigint) as consent_breaches

    from tested
    left join detectable
        on tested.campaign_id = detectable.campaign_id

)

select * from final
