{#
    A rejected row's raw text, kept in one JSON text column rather than one column per field.
    Only rejected rows fill it, but a table pays for each column on every row, and one
    mostly-null column costs less to write than five. The reject model unpacks it again.

    `raw_values_json(columns)` packs the named columns under their own names;
    `raw_value(json_column, key)` gives one back as text, null when it was null.
#}
{% macro raw_values_json(columns) -%}
    {{ return(adapter.dispatch('raw_values_json')(columns)) }}
{%- endmacro %}

{#- DuckDB's form; MySQL and SQLite spell it the same. -#}
{% macro default__raw_values_json(columns) -%}
    cast(json_object({% for column in columns %}'{{ column }}', {{ column }}{{ ', ' if not loop.last }}{% endfor %}) as varchar)
{%- endmacro %}

{% macro postgres__raw_values_json(columns) -%}
    cast(json_build_object({% for column in columns %}'{{ column }}', {{ column }}{{ ', ' if not loop.last }}{% endfor %}) as text)
{%- endmacro %}

{% macro spark__raw_values_json(columns) -%}
    to_json(named_struct({% for column in columns %}'{{ column }}', {{ column }}{{ ', ' if not loop.last }}{% endfor %}))
{%- endmacro %}


{% macro raw_value(json_column, key) -%}
    {{ return(adapter.dispatch('raw_value')(json_column, key)) }}
{%- endmacro %}

{% macro default__raw_value(json_column, key) -%}
    json_extract_string({{ json_column }}, '$.{{ key }}')
{%- endmacro %}

{% macro postgres__raw_value(json_column, key) -%}
    (cast({{ json_column }} as json) ->> '{{ key }}')
{%- endmacro %}

{#- to_json leaves out null fields; get_json_object gives null for them, as for a JSON null. -#}
{% macro spark__raw_value(json_column, key) -%}
    get_json_object({{ json_column }}, '$.{{ key }}')
{%- endmacro %}
