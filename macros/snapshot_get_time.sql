{#
    Snapshot versions are stamped with the as-of date, not the wall clock, so that running
    month-ends in order builds true history (a version recorded for 2024-10-31 is valid from
    2024-10-31), and two warehouses built from the same input get the same versions and keys.
    A second run for the same as-of date (a correction) must still stamp its new versions after
    the ones it replaces: dbt derives `dbt_scd_id` from this time, and equal times would make the
    new version collide with the old. So each earlier stamp already recorded on that date adds
    one microsecond. dbt calls this before it writes the run's versions, so every call in a run
    sees the same count.
#}
{% macro duckdb__snapshot_get_time() -%}
    {{ as_of_snapshot_time() }}
{%- endmacro %}

{% macro postgres__snapshot_get_time() -%}
    {{ as_of_snapshot_time() }}
{%- endmacro %}


{% macro as_of_snapshot_time() -%}
    {%- set as_of = as_of_date() -%}
    {%- set earlier_stamps = 0 -%}
    {%- set recorded = adapter.get_relation(this.database, this.schema, this.identifier) if execute else none -%}
    {%- if recorded is not none -%}
        {%- set counted = run_query(
            "select count(distinct dbt_valid_from) from " ~ recorded
            ~ " where cast(dbt_valid_from as date) = " ~ date_literal(as_of)
        ) -%}
        {%- set earlier_stamps = counted.columns[0].values()[0] -%}
    {%- endif -%}
    {#- a literal, since interval syntax differs between engines -#}
    cast('{{ as_of }} 00:00:00.{{ '%06d' % earlier_stamps }}' as timestamp)
{%- endmacro %}
