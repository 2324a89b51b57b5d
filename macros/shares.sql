{#
    part / whole of two non-negative counts, rounded half up to 4 decimals, exactly: integer
    division of the scaled counts, so a tie such as 1/32 = 0.03125 rounds up on every engine
    (DuckDB would divide in double precision). The caller guards `whole` against zero.
#}
{% macro count_share(part, whole) -%}
    cast(
        cast({{ integer_division('(' ~ part ~ ') * 20000 + (' ~ whole ~ ')', '2 * (' ~ whole ~ ')') }} as decimal(18, 0))
        * 0.0001
    as decimal(10, 4))
{%- endmacro %}


{% macro integer_division(dividend, divisor) -%}
    {{ return(adapter.dispatch('integer_division')(dividend, divisor)) }}
{%- endmacro %}

{#- Postgres divides integers by truncating. -#}
{% macro default__integer_division(dividend, divisor) -%}
    (cast({{ dividend }} as bigint) / cast({{ divisor }} as bigint))
{%- endmacro %}

{% macro duckdb__integer_division(dividend, divisor) -%}
    (cast({{ dividend }} as bigint) // cast({{ divisor }} as bigint))
{%- endmacro %}

{% macro spark__integer_division(dividend, divisor) -%}
    (cast({{ dividend }} as bigint) div cast({{ divisor }} as bigint))
{%- endmacro %}
