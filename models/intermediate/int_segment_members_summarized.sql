{#
    The member figures of segment_analytics (docs/rules/service.md) per recorded as-of date D and segment with
    members at D: the members, those active in the window (D - 90 to D inclusive), their net revenue and purchase
    days there, the means of their lifetime values of D, the members who were members at the previous recorded date
    too, and all customers' net revenue in the window.

    Incremental by date, so that recording a month reads that month's window, not every recorded date's. A date's
    figures depend on the store's rows of D and of the date before it, on the clean transactions of D's window and on
    customer_lifetime_value of D. A run computes again the dates it records (their rows in the stores are new), the
    recorded date after each (its retention compares with them) and any recorded date without figures; every other
    date keeps its rows, as the stores keep theirs. Older transactions change only with a full refresh, which
    computes every date again; recalculate_segments rebuilds this table after it rewrites a date
    (macros/segment_history.sql).
#}

{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='as_of_date',
    on_schema_change='fail',
    enabled=builds_duckdb_only_models(),
) }}

-- depends_on: {{ ref('int_as_of_dates_windowed') }}

{#- recalculate_segments renders this model outside a run, where there is no `this`: every date then #}
{%- set changed_dates_only = this is defined and is_incremental() %}

with

memberships as (

    select * from {{ ref('segment_membership_snapshots') }}

),

transactions as (

    select * from {{ ref('int_transactions_matched') }}

),

lifetime_values as (

    select * from {{ ref('customer_lifetime_value') }}

),

{%- if changed_dates_only %}

run_dates as (

    select * from {{ ref('int_as_of_dates_windowed') }}

),
{%- endif %}

recorded_dates as (

    select
        as_of_date,
        lag(as_of_date) over (order by as_of_date) as previous_date

    from (select distinct as_of_date from memberships) as distinct_dates

),

computed_dates as (

    select
        as_of_date,
        previous_date,
        cast(as_of_date - interval 90 day as date) as window_start

    from recorded_dates
    {%- if changed_dates_only %}
    where
        as_of_date in (select as_of_date from run_dates)
        or previous_date in (select as_of_date from run_dates)
        or as_of_date not in (select distinct as_of_date from {{ this }})
    {%- endif %}

),

computed_bounds as (

    select
        min(window_start) as first_day,
        max(as_of_date) as last_day

    from computed_dates

),

-- one row per customer and day with a transaction: the day's net amount and whether it was a purchase day
customer_days as (

    select
        transactions.customer_id,
        transactions.transaction_date,
        sum(transactions.amount) as net_amount,
        max(case when transactions.amount > 0 then 1 else 0 end) as is_purchase_day

    from transactions
    inner join computed_bounds
        on transactions.transaction_date between computed_bounds.first_day and computed_bounds.last_day
    group by transactions.customer_id, transactions.transaction_date

),

-- each customer's window to each computed date
customer_windows as (

    select
        computed_dates.as_of_date,
        customer_days.customer_id,
        sum(customer_days.net_amount) as net_revenue,
        sum(customer_days.is_purchase_day) as purchase_days

    from computed_dates
    inner join customer_days
        on customer_days.transaction_date between computed_dates.window_start and computed_dates.as_of_date
    group by computed_dates.as_of_date, customer_days.customer_id

),

all_customers_revenue as (

    select
        as_of_date,
        sum(net_revenue) as net_revenue

    from customer_windows
    group by as_of_date

),

computed_members as (

    select memberships.*

    from memberships
    inner join computed_dates
        on memberships.as_of_date = computed_dates.as_of_date

),

member_rows as (

    select
        computed_members.as_of_date,
        computed_members.segment_id,
        coalesce(customer_windows.net_revenue, 0) as net_revenue,
        coalesce(customer_windows.purchase_days, 0) as purchase_days,
        lifetime_values.predicted_ltv_1year,
        lifetime_values.churn_probability

    from computed_members
    left join customer_windows
        on computed_members.as_of_date = customer_windows.as_of_date
        and computed_members.customer_id = customer_windows.customer_id
    left join lifetime_values
        on computed_members.as_of_date = lifetime_values.as_of_date
        and computed_members.customer_id = lifetime_values.customer_id

),

member_figures as (

    select
        as_of_date,
        segment_id,
        count(*) as total_customers,
        count(case when purchase_days > 0 then 1 end) as active_customers,
        sum(net_revenue) as total_revenue,
        sum(purchase_days) as purchase_days,
        avg(predicted_ltv_1year) as average_predicted_ltv_1year,
        avg(churn_probability) as average_churn_probability

    from member_rows
    group by as_of_date, segment_id

),

-- members of a computed date who were members at the previous recorded date too
retained as (

    select
        computed_members.as_of_date,
        computed_members.segment_id,
        count(*) as retained_customers

    from computed_members
    inner join computed_dates
        on computed_members.as_of_date = computed_dates.as_of_date
    inner join memberships as previous_members
        on computed_dates.previous_date = previous_members.as_of_date
        and computed_members.segment_id = previous_members.segment_id
        and computed_members.customer_id = previous_members.customer_id
    group by computed_members.as_of_date, computed_members.segment_id

),

final as (

    select
        member_figures.as_of_date,
        cast(member_figures.segment_id as varchar) as segment_id,
        cast(member_figures.total_customers as bigint) as total_customers,
        cast(member_figures.active_customers as bigint) as active_customers,
        cast(member_figures.total_revenue as decimal(38, 2)) as total_revenue,
        cast(member_figures.purchase_days as bigint) as purchase_days,
        cast(member_figures.average_predicted_ltv_1year as double) as average_predicted_ltv_1year,
        cast(member_figures.average_churn_probability as double) as average_churn_probability,
        cast(coalesce(retained.retained_customers, 0) as bigint) as retained_customers,
        cast(all_customers_revenue.net_revenue as decimal(38, 2)) as all_customers_revenue

    from member_figures
    left join retained
        on member_figures.as_of_date = retained.as_of_date
        and member_figures.segment_id = retained.segment_id
    left join all_customers_revenue
        on member_figures.as_of_date = all_customers_revenue.as_of_date

)

select * from final
