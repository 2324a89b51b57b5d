{#-
    segment_daily_performance counts every customer from their signup day, in a recorded segment or under
    Unassigned (docs/analytics.md), so each day's new_customers, summed over its segments, are that day's signups.
    A row per day where they differ.
-#}

with

daily as (

    select * from {{ ref('segment_daily_performance') }}

),

customers as (

    select * from {{ ref('stg_customers') }}

),

counted as (

    select
        activity_date,
        sum(new_customers) as new_customers

    from daily
    group by activity_date

),

signups as (

    select
        signup_date,
        count(*) as signups

    from customers
    group by signup_date

),

final as (

    select
        counted.activity_date,
        counted.new_customers,
        coalesce(signups.signups, 0) as signups

    from counted
    left join signups
        on counted.activity_date = signups.signup_date
    where counted.new_customers <> coalesce(signups.signups, 0)

)

select * from final
