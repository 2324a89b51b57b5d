{#
    The membership store: every recorded as-of date's memberships of every active segment, one row
    per date, customer and segment (int_segment_memberships_listed). Kept like
    customer_segment_snapshots: a run replaces the dates it computed and keeps every other date.
#}

{{ config(
    materialized='incremental',
    incremental_strategy=history_incremental_strategy(),
    partition_by=history_partition_by(),
    unique_key='as_of_date',
    full_refresh=false,
    on_schema_change='append_new_columns',
) }}

-- depends_on: {{ ref('data_quality_report') }}

with

listed as (

    select * from {{ ref('int_segment_memberships_listed') }}

),

final as (

    select
        as_of_date,
        customer_id,
        segment_id,
        segment_type,
        source -- noqa: RF04

    from listed

)

select * from final
