{{ config(severity='warn') }}

{#
    Each segment holds at least 5 % of the customers. A warning, not an error: a shift in the
    customer base is a signal for an analyst, not a broken build. A segment with no customers
    at all is reported too.
#}

with

segmented as (

    select * from {{ ref('customer_segments') }}

),

customer_total as (

    select count(*) as customer_count from segmented

),

expected as (

    {%- for name in segment_names() %}
    select '{{ name }}' as customer_segment
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

shares as (

    select
        expected.customer_segment,
        count(segmented.customer_id) as customer_count,
        count(segmented.customer_id) * 100.0 / max(customer_total.customer_count) as share_pct

    from expected
    cross join customer_total
    left join segmented
        on expected.customer_segment = segmented.customer_segment
    group by expected.customer_segment

)

select * from shares
where share_pct < 5
