{{ config(severity='warn') }}

{#
    Each segment holds at least 5 % of the customers. A warning, not an error: a shift in the
    customer base is a signal for an analyst, not a broken build. A segment with no customers
    at all is reported too.
#}

with

segments as (

    select * from {{ ref('customer_segments') }}

),

expected as (

    {%- for name in segment_names() %}
    select '{{ name }}' as customer_segment
    {{ 'union all' if not loop.last }}
    {%- endfor %}

),

shares as (

    select
        expected.customer_segment,
        count(segments.customer_id) as customer_count,
        count(segments.customer_id) * 100.0 / (select count(*) from segments) as share_pct

    from expected
    left join segments
        on expected.customer_segment = segments.customer_segment
    group by expected.customer_segment

)

select * from shares
where share_pct < 5
