{#
    What differs between the engines the project builds on (docs/engines.md), in one place: the
    models read these macros instead of testing target.type themselves.
#}


{#
    Whether this engine builds the DuckDB-only models: the Python models (user-defined segments,
    campaigns, lifetime value) and the models that read them or DuckDB's own functions. Each such
    model's `config(enabled=...)`, and each optional ref to one, reads this macro. Models configured
    in YAML (the Python models, whose config cannot call a macro) test target.type there.
#}
{% macro builds_duckdb_only_models() %}
    {{ return(target.type == 'duckdb') }}
{% endmacro %}


{#
    How the recorded history tables (customer_segment_snapshots, segment_membership_snapshots)
    replace a run's dates: delete and insert them by as_of_date; Spark's parquet tables cannot
    delete rows, so there the dates' partitions are overwritten.
#}
{% macro history_incremental_strategy() %}
    {{ return(adapter.dispatch('history_incremental_strategy')()) }}
{% endmacro %}

{% macro default__history_incremental_strategy() %}
    {{ return('delete+insert') }}
{% endmacro %}

{% macro spark__history_incremental_strategy() %}
    {{ return('insert_overwrite') }}
{% endmacro %}


{% macro history_partition_by() %}
    {{ return(adapter.dispatch('history_partition_by')()) }}
{% endmacro %}

{% macro default__history_partition_by() %}
    {{ return(none) }}
{% endmacro %}

{% macro spark__history_partition_by() %}
    {{ return(['as_of_date']) }}
{% endmacro %}


{#
    How the tables kept incrementally (the staged transactions and behaviour events, the matched events)
    are materialised: incremental, a run adding only what changed; Spark's in-memory catalog starts empty
    every run, so there they are tables.
#}
{% macro incremental_staging_materialization() %}
    {{ return(adapter.dispatch('incremental_staging_materialization')()) }}
{% endmacro %}

{% macro default__incremental_staging_materialization() %}
    {{ return('incremental') }}
{% endmacro %}

{% macro spark__incremental_staging_materialization() %}
    {{ return('table') }}
{% endmacro %}

