{#
    Marts stay in the target schema (`main` on DuckDB) so analysts query them unqualified;
    a folder's custom schema (staging, intermediate, snapshots) is used as given rather
    than dbt's default `<target>_<custom>` prefixing.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
