{# A text as a SQL string literal: quotes doubled, so a user's text is matched literally. #}
{% macro sql_string_literal(text) -%}
    {{ return("'" ~ text | replace("'", "''") ~ "'") }}
{%- endmacro %}
