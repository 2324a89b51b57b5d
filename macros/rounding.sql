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

{% macro default__rounded_ratio(numerator, denominator, scale) -%}
    {#- Standard numerics (Postgres here) divide exactly enough and round half away from zero. -#}
    round(cast({{ numerator }} as numeric) * {{ scale }} / cast({{ denominator }} as numeric), 2)
{%- endmacro %}

{% macro spark__rounded_ratio(numerator, denominator, scale) -%}
    {#- Spark's decimal division keeps only 6 decimals and would round twice; whole cents as bigints do not
        (and `sign` would turn them into doubles, so the sign is a case). -#}
    {%- set numerator = '(' ~ numerator ~ ')' -%}
    {%- set denominator = '(' ~ denominator ~ ')' -%}
    cast(
        cast(
            case when ({{ numerator }} < 0) <> ({{ denominator }} < 0) then -1 else 1 end
            * (
                (abs(cast({{ numerator }} * 100 as bigint)) * {{ scale * 200 }} + abs(cast({{ denominator }} * 100 as bigint)))
                div (2 * abs(cast({{ denominator }} * 100 as bigint)))
            )
        as decimal(20, 0)) / 100
    as decimal(18, 2))
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
