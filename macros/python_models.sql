{#
    The post-hook of the incremental Python models (models/marts/clv/_clv__models.yml). On an incremental run
    dbt-duckdb 1.11 writes a Python model's new rows to a table named `<model>__dbt_tmp<timestamp>` beside the
    model and, taking it for a temporary table, never drops it: one more table in the marts schema every
    month, which the publish step would copy to every reader. This drops every such table of the model,
    including those left by runs before this hook, in the model's own transaction.
#}
{% macro drop_python_staging_tables() -%}
    {%- if execute and model.language == 'python' -%}
        {%- set leftovers = run_query(
            "select table_name from duckdb_tables()"
            ~ " where database_name = " ~ sql_string_literal(this.database)
            ~ " and schema_name = " ~ sql_string_literal(this.schema)
            ~ " and starts_with(table_name, " ~ sql_string_literal(this.identifier ~ '__dbt_tmp') ~ ")"
        ) -%}
        {%- for name in leftovers.columns[0].values() %}
        drop table {{ this.incorporate(path={'identifier': name}) }};
        {%- endfor %}
    {%- endif -%}
{%- endmacro %}
