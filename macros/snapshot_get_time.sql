{#
    Snapshot versions are stamped with the as-of date, not the wall clock, so that running
    month-ends in order builds true history (a version recorded for 2024-10-31 is valid from
    2024-10-31). The run's time of day is appended so two runs for the same as-of date (a
    correction) still get distinct, ordered version times: dbt derives `dbt_scd_id` from this
    time, and equal times would make the new version collide with the one it replaces.
#}
{% macro duckdb__snapshot_get_time() -%}
    cast('{{ as_of_date() }} {{ run_started_at.strftime("%H:%M:%S.%f") }}' as timestamp)
{%- endmacro %}
