{#
    A run replaces the rows of the dates it computed and keeps every other date, so re-running
    a month rewrites that month only, and a backfill of N month-ends is one set-based insert.

    `full_refresh=false`: recorded history is not rebuilt from the raw files, whose contents may
    have moved on; `dbt build --full-refresh` leaves it alone.
#}

{#- The strategy and partitions per engine: macros/engines.sql (Spark overwrites partitions). -#}
{{ config(
    materialized='incremental',
    incremental_strategy=history_incremental_strategy(),
    partition_by=history_partition_by(),
    unique_key='as_of_date',
    full_refresh=false,
    on_schema_change='append_new_columns',
) }}

{#-
    Read after data_quality_report, so that its quality gates (tests/assert_reject_share_within_limit.sql
    and the others reading it) pass before a month is recorded: dbt builds a model only after the
    failing tests of models it reads, and a bad delivery's month would otherwise be kept in the
    history and published with the next good month.
#}
-- depends_on: {{ ref('data_quality_report') }}

with

segmented as (

    select * from {{ ref('int_customers_segmented') }}

),

-- every column of int_customers_segmented, as it is: new ones are appended (on_schema_change)
final as (

    select * from segmented

)

select * from final -- noqa: AM04
