{#
    One row per day of the 90 days up to A (A - 89 to A; var `daily_performance_days`) and behavioural segment (spec
    sections 14 and 16): the five segments and `Unassigned`, 6 x 90 rows, zeros on a day without activity. A
    customer counts from their signup day: on day d in their segment as of the latest recorded date on or before d
    (customer_segment_snapshots, the recorded history), so a customer who changes segment inside the 90 days counts
    in the old segment up to the day before the new recorded date and in the new one from it; a customer of the run
    who signed up on or before d but has no recorded segment at that date (a signup since it, or a day before the
    first recorded date) counts under `Unassigned`. So new_customers summed over the six rows of a day is that day's
    signups.

    A table, rebuilt every run: a passed day changes when a late transaction or event arrives or a
    recorded date is recomputed, and the 90 days slide with A; the whole window is a few joins of
    the 90 days' rows (docs/decisions.md).

    email_open_rate and email_click_rate: the campaign log's treatment deliveries of email campaigns sent that day to
    the segment's members, opened (or clicked) over delivered, as section 11 rates a campaign; null on a day without
    a delivered email. The log carries no channel: a campaign's channel comes from campaigns.yml
    (int_campaigns_channeled; docs/analytics.md, docs/engines.md).
#}

{%- set a = as_of_windows() %}
{%- set first_day = (
    modules.datetime.date.fromisoformat(a.as_of) - modules.datetime.timedelta(days=(var('daily_performance_days') | int) - 1)
).isoformat() %}
{%- set day_after = (modules.datetime.date.fromisoformat(a.as_of) + modules.datetime.timedelta(days=1)).isoformat() %}

with

snapshots as (

    select * from {{ ref('customer_segment_snapshots') }}

),

-- the customers of the run: signed up on or before A
customers as (

    select * from {{ ref('int_customers_acquired') }}

),

transactions as (

    select * from {{ ref('int_transactions_matched') }}

),

summarized as (

    select * from {{ ref('int_customers_summarized') }}

),

events as (

    select * from {{ ref('int_behavior_events_matched') }}

),

deliveries as (

    select * from {{ ref('int_campaign_deliveries_matched') }}

),

campaign_channels as (

    select * from {{ ref('int_campaigns_channeled') }}

),

email_deliveries as (

    select deliveries.*

    from deliveries
    inner join campaign_channels
        on deliveries.campaign_id = campaign_channels.campaign_id
    where campaign_channels.channel = 'email'

),

days as (

    select cast(date_day as date) as activity_date

    from ({{ dbt.date_spine('day', date_literal(first_day), date_literal(day_after)) }}) as spine

),

-- the five segments, then Unassigned: the customers of the day with no recorded segment at its recorded date
segments as (

    {%- for rule in segment_rules() %}
    select
        {{ text_literal('behavioral/' ~ segment_slug(rule.name)) }} as segment_id,
        {{ text_literal(rule.name) }} as segment_name

    union all
    {%- endfor %}

    select
        {{ text_literal('behavioral/unassigned') }} as segment_id,
        {{ text_literal('Unassigned') }} as segment_name

),

recorded_dates as (

    select distinct as_of_date

    from snapshots
    where as_of_date <= {{ date_literal(a.as_of) }}

),

-- each day's latest recorded date on or before it; null before the first one
day_dates as (

    select
        days.activity_date,
        max(recorded_dates.as_of_date) as recorded_date

    from days
    left join recorded_dates
        on days.activity_date >= recorded_dates.as_of_date
    group by days.activity_date

),

used_dates as (

    select distinct recorded_date

    from day_dates
    where recorded_date is not null

),

-- the members of each segment at each recorded date the window reads
segment_sizes as (

    select
        snapshots.as_of_date,
        snapshots.customer_segment,
        count(*) as member_count

    from snapshots
    inner join used_dates
        on snapshots.as_of_date = used_dates.recorded_date
    group by snapshots.as_of_date, snapshots.customer_segment

),

-- the customers of the run by signup day, and the members of each recorded date the window reads by signup day:
-- counted before they meet the days, so no customer is paired with each of the 90 days (docs/decisions.md)
signup_counts as (

    select
        signup_date,
        count(*) as customer_count

    from customers
    group by signup_date

),

member_signup_counts as (

    select
        snapshots.as_of_date,
        customers.signup_date,
        count(*) as member_count

    from snapshots
    inner join used_dates
        on snapshots.as_of_date = used_dates.recorded_date
    inner join customers
        on snapshots.customer_id = customers.customer_id
    group by snapshots.as_of_date, customers.signup_date

),

signed_up as (

    select
        days.activity_date,
        sum(signup_counts.customer_count) as customer_count

    from days
    inner join signup_counts
        on days.activity_date >= signup_counts.signup_date
    group by days.activity_date

),

assigned as (

    select
        day_dates.activity_date,
        sum(member_signup_counts.member_count) as member_count

    from day_dates
    inner join member_signup_counts
        on
        day_dates.recorded_date = member_signup_counts.as_of_date
        and day_dates.activity_date >= member_signup_counts.signup_date
    group by day_dates.activity_date

),

-- the customers of the run signed up on or before each day who have no segment at the day's recorded date:
-- those signed up, less those of them with one
unassigned_sizes as (

    select
        signed_up.activity_date,
        signed_up.customer_count - coalesce(assigned.member_count, 0) as member_count

    from signed_up
    left join assigned
        on signed_up.activity_date = assigned.activity_date
    where signed_up.customer_count - coalesce(assigned.member_count, 0) > 0

),

sizes as (

    select
        day_dates.activity_date,
        segment_sizes.customer_segment as segment_name,
        segment_sizes.member_count

    from day_dates
    inner join segment_sizes
        on day_dates.recorded_date = segment_sizes.as_of_date

    union all

    select
        activity_date,
        'Unassigned' as segment_name,
        member_count

    from unassigned_sizes

),

first_purchases as (

    select
        customer_id,
        first_purchase_date

    from summarized
    where as_of_date = {{ date_literal(a.as_of) }}

),

-- what each customer did on each day of the window, one row per kind, summed below
activity_rows as (

    select
        customer_id,
        transaction_date as activity_date,
        0 as signups,
        1 as purchases,
        amount as revenue,
        0 as page_views,
        0 as product_views,
        0 as add_to_cart,
        0 as emails_delivered,
        0 as emails_opened,
        0 as emails_clicked

    from transactions
    where amount > 0
        and transaction_date between {{ date_literal(first_day) }} and {{ date_literal(a.as_of) }}

    union all

    select
        customer_id,
        event_date as activity_date,
        0 as signups,
        0 as purchases,
        0 as revenue,
        case when event_type = 'page_view' then 1 else 0 end as page_views,
        case when event_type = 'product_view' then 1 else 0 end as product_views,
        case when event_type = 'add_to_cart' then 1 else 0 end as add_to_cart,
        0 as emails_delivered,
        0 as emails_opened,
        0 as emails_clicked

    from events
    where event_date between {{ date_literal(first_day) }} and {{ date_literal(a.as_of) }}
        and event_type in ('page_view', 'product_view', 'add_to_cart')

    union all

    select
        customer_id,
        signup_date as activity_date,
        1 as signups,
        0 as purchases,
        0 as revenue,
        0 as page_views,
        0 as product_views,
        0 as add_to_cart,
        0 as emails_delivered,
        0 as emails_opened,
        0 as emails_clicked

    from customers
    where signup_date between {{ date_literal(first_day) }} and {{ date_literal(a.as_of) }}

    union all

    -- the email campaigns' treatment messages delivered, by the day they were sent
    select
        customer_id,
        cast(sent_at as date) as activity_date,
        0 as signups,
        0 as purchases,
        0 as revenue,
        0 as page_views,
        0 as product_views,
        0 as add_to_cart,
        1 as emails_delivered,
        case when opened_at is not null then 1 else 0 end as emails_opened,
        case when clicked_at is not null then 1 else 0 end as emails_clicked

    from email_deliveries
    where test_group = 'treatment'
        and delivered
        and cast(sent_at as date) between {{ date_literal(first_day) }} and {{ date_literal(a.as_of) }}

),

customer_days as (

    select
        customer_id,
        activity_date,
        sum(signups) as signups,
        sum(purchases) as purchases,
        sum(revenue) as revenue,
        sum(page_views) as page_views,
        sum(product_views) as product_views,
        sum(add_to_cart) as add_to_cart,
        sum(emails_delivered) as emails_delivered,
        sum(emails_opened) as emails_opened,
        sum(emails_clicked) as emails_clicked

    from activity_rows
    group by customer_id, activity_date

),

-- each customer-day in the customer's segment as of the day's recorded date, else Unassigned from their signup day
member_days as (

    select
        customer_days.activity_date,
        coalesce(snapshots.customer_segment, 'Unassigned') as customer_segment,
        case when customer_days.signups > 0 then 1 else 0 end as is_new,
        case when customer_days.purchases > 0 then 1 else 0 end as is_active,
        case
            when customer_days.purchases > 0 and first_purchases.first_purchase_date < customer_days.activity_date
                then 1
            else 0
        end as is_repeat,
        customer_days.purchases,
        customer_days.revenue,
        customer_days.page_views,
        customer_days.product_views,
        customer_days.add_to_cart,
        customer_days.emails_delivered,
        customer_days.emails_opened,
        customer_days.emails_clicked

    from customer_days
    inner join day_dates
        on customer_days.activity_date = day_dates.activity_date
    left join snapshots
        on day_dates.recorded_date = snapshots.as_of_date
        and customer_days.customer_id = snapshots.customer_id
    left join customers
        on customer_days.customer_id = customers.customer_id
    left join first_purchases
        on customer_days.customer_id = first_purchases.customer_id
    where snapshots.customer_id is not null
        or customers.signup_date <= customer_days.activity_date

),

segment_days as (

    select
        activity_date,
        customer_segment,
        sum(is_new) as new_customers,
        sum(is_active) as active_customers,
        sum(is_repeat) as repeat_customers,
        sum(purchases) as purchases,
        sum(revenue) as revenue,
        sum(page_views) as page_views,
        sum(product_views) as product_views,
        sum(add_to_cart) as add_to_cart,
        sum(emails_delivered) as emails_delivered,
        sum(emails_opened) as emails_opened,
        sum(emails_clicked) as emails_clicked

    from member_days
    group by activity_date, customer_segment

),

final as (

    select
        days.activity_date,
        cast(segments.segment_id as {{ dbt.type_string() }}) as segment_id,
        cast(segments.segment_name as {{ dbt.type_string() }}) as segment_name,
        cast(coalesce(sizes.member_count, 0) as bigint) as member_count,
        cast(coalesce(segment_days.new_customers, 0) as bigint) as new_customers,
        cast(coalesce(segment_days.active_customers, 0) as bigint) as active_customers,
        cast(coalesce(segment_days.purchases, 0) as bigint) as purchases,
        cast(coalesce(segment_days.revenue, 0) as decimal(18, 2)) as revenue,
        case
            when segment_days.purchases > 0
                then {{ rounded_ratio('segment_days.revenue', 'segment_days.purchases') }}
        end as avg_order_value,
        cast(coalesce(segment_days.page_views, 0) as bigint) as page_views,
        cast(coalesce(segment_days.product_views, 0) as bigint) as product_views,
        cast(coalesce(segment_days.add_to_cart, 0) as bigint) as add_to_cart,
        case
            when segment_days.emails_delivered > 0
                then {{ count_share('segment_days.emails_opened', 'segment_days.emails_delivered') }}
        end as email_open_rate,
        case
            when segment_days.emails_delivered > 0
                then {{ count_share('segment_days.emails_clicked', 'segment_days.emails_delivered') }}
        end as email_click_rate,
        case
            when segment_days.active_customers > 0
                then {{ count_share('segment_days.repeat_customers', 'segment_days.active_customers') }}
        end as repeat_purchase_rate

    from days
    cross join segments
    left join sizes
        on days.activity_date = sizes.activity_date
        and segments.segment_name = sizes.segment_name
    left join segment_days
        on days.activity_date = segment_days.activity_date
        and segments.segment_name = segment_days.customer_segment

)

select * from final
