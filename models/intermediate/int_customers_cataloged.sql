{#
    Every built-in segment type's segment of each customer at each of the run's as-of dates, one
    column per type (macros/segment_types.sql holds the rules). int_segment_memberships_listed
    turns these columns into one row per membership.
#}

with

segmented as (

    select * from {{ ref('int_customers_segmented') }}

),

customers as (

    select * from {{ ref('stg_customers') }}

),

events_windowed as (

    select * from {{ ref('int_customers_events_windowed') }}

),

features as (

    select
        segmented.as_of_date,
        segmented.customer_id,
        segmented.customer_segment,
        segmented.r_score,
        segmented.f_score,
        segmented.tenure_months,
        -- cume_dist() over lifetime_value, as counts: the customers of the date at or below this one, and all of them
        count(*) over (
            partition by segmented.as_of_date order by segmented.lifetime_value
        ) as value_rank_count,
        count(*) over (partition by segmented.as_of_date) as date_customers,
        cast(
            floor({{ complete_months_between('customers.date_of_birth', 'segmented.as_of_date') }} / 12) as integer
        ) as age_years,
        customers.gender,
        events_windowed.purchase_days,
        events_windowed.has_review_or_share,
        events_windowed.has_add_to_cart,
        events_windowed.has_product_view_or_wishlist

    from segmented
    inner join customers
        on segmented.customer_id = customers.customer_id
    -- every customer of a date has a row there; a left join keeps the other types' unit tests to their own inputs
    left join events_windowed
        on segmented.customer_id = events_windowed.customer_id
        and segmented.as_of_date = events_windowed.as_of_date

),

final as (

    select
        as_of_date,
        customer_id,
        {%- for segment_type in builtin_segment_types() %}
        {{ segment_type_case(segment_type) }} as {{ segment_type.column }}
        {%- if not loop.last %},{% endif %}
        {%- endfor %}

    from features

)

select * from final
