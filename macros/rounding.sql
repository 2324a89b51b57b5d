{#
    numerator / denominator * scale, rounded half away from zero to 2 decimals, exactly.

    DuckDB divides decimals in double precision, which misrounds ties such as 0.015 %.
    Both inputs are money (2 decimals), so the ratio is a ratio of whole cents; integer
    division of the scaled cents gives the exact rounded result. The caller guards the
    denominator against zero.
#}
{% macro rounded_ratio(numerator, denominator, scale=1) -%}
    {{ return(adapter.dispatch('rounded_ratio')(numerator, denominator, scale)) }}
{%- endmacro %}

{% macro duckdb__rounded_ratio(numerator, denominator, scale) -%}
    {%- set numerator = '(' ~ numerator ~ ')' -%}
    {%- set denominator = '(' ~ denominator ~ ')' -%}
    (
        sign({{ numerator }}) * sign({{ denominator }})
        * (
            (abs(cast({{ numerator }} * 100 as hugeint)) * {{ scale * 200 }} + abs(cast({{ denominator }} * 100 as hugeint)))
            // (2 * abs(cast({{ denominator }} * 100 as hugeint)))
        )
        * cast(0.01 as decimal(3, 2))
    )::decimal(18, 2)
{%- endmacro %}
