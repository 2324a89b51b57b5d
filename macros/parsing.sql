{#
    Strict parsers for raw text. A plain cast is too forgiving for the spec's contract:
    DuckDB casts '1.5' to the integer 2, '1e3' to 1000 and '2024/01/05' to a date, so each
    parser first checks the text's shape and only then casts. Null means "not parseable".
#}

{% macro parse_integer(column) -%}
    {{ return(adapter.dispatch('parse_integer')(column)) }}
{%- endmacro %}

{% macro duckdb__parse_integer(column) -%}
    case when regexp_full_match(trim({{ column }}), '[+-]?[0-9]{1,18}') then cast(trim({{ column }}) as bigint) end
{%- endmacro %}


{% macro parse_iso_date(column) -%}
    {{ return(adapter.dispatch('parse_iso_date')(column)) }}
{%- endmacro %}

{% macro duckdb__parse_iso_date(column) -%}
    {#- try_cast still rejects impossible days such as 2024-02-30. -#}
    case when regexp_full_match(trim({{ column }}), '[0-9]{4}-[0-9]{2}-[0-9]{2}') then try_cast(trim({{ column }}) as date) end
{%- endmacro %}


{% macro parse_money(column) -%}
    {{ return(adapter.dispatch('parse_money')(column)) }}
{%- endmacro %}

{% macro duckdb__parse_money(column) -%}
    {#- Sub-cent digits round half away from zero to the cent; values past decimal(18,2) fail the cast. -#}
    case
        when regexp_full_match(trim({{ column }}), '[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)')
            then try_cast(trim({{ column }}) as decimal(18, 2))
    end
{%- endmacro %}


{#
    The two reject reasons every required raw column shares: absent (null or blank) and
    present but not parseable. `raw_<column>` is the text as it arrived, `<column>` the parsed value.
#}
{% macro reject_if_missing_or_unparsed(column, expectation) -%}
            when nullif(trim(raw_{{ column }}), '') is null then '{{ column }} is missing'
            when {{ column }} is null then '{{ column }} is not {{ expectation }}'
{%- endmacro %}
