{#
    The catalog: every segment's definition with its members as of the run's date A, the latest
    date the run computed (as customer_segments reads it). A segment that is not active has no
    members.
#}

with

definitions as (

    select * from {{ ref('int_segments_combined') }}

),

listed as (

    select * from {{ ref('int_segment_memberships_listed') }}

),

cataloged as (

    select * from {{ ref('int_customers_cataloged') }}

),

latest as (

    select max(as_of_date) as as_of_date from cataloged

),

run_customers as (

    select count(*) as customers
    from cataloged
    inner join latest
        on cataloged.as_of_date = latest.as_of_date

),

member_counts as (

    select
        listed.segment_id,
        count(*) as customer_count

    from listed
    inner join latest
        on listed.as_of_date = latest.as_of_date
    group by listed.segment_id

),

final as (

    select
        definitions.segment_id,
        definitions.segment_name,
        definitions.segment_type,
        definitions.description,
        definitions.criteria,
        definitions.status,
        coalesce(member_counts.customer_count, 0) as customer_count,
        case
            when run_customers.customers > 0
                then {{ count_share('coalesce(member_counts.customer_count, 0)', 'run_customers.customers') }}
        end as share_of_customers,
        latest.as_of_date as last_updated

    from definitions
    cross join latest
    cross join run_customers
    left join member_counts
        on definitions.segment_id = member_counts.segment_id

)

select * from final
