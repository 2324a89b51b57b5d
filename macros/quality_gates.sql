{#
    The quality gates' limits, read from their vars and checked once here, so each gate renders
    a literal every engine compares exactly.
#}
{% macro max_reject_share() -%}
    {%- set raw = var('max_reject_share', 0.05) -%}
    {%- set text = (raw | string | trim) -%}
    {%- if not modules.re.fullmatch('(0|1)(\\.[0-9]+)?|\\.[0-9]+', text) or (text | float) > 1 -%}
        {{ exceptions.raise_compiler_error(
            "var max_reject_share must be a decimal share between 0 and 1 (0.05 is 5 %), got '" ~ text ~ "'"
        ) }}
    {%- endif -%}
    {{ return(text) }}
{%- endmacro %}


{% macro max_delivery_lag_days() -%}
    {%- set raw = var('max_delivery_lag_days', 7) -%}
    {%- set text = (raw | string | trim) -%}
    {%- if not modules.re.fullmatch('[0-9]+', text) -%}
        {{ exceptions.raise_compiler_error(
            "var max_delivery_lag_days must be a whole number of days, 0 or more, got '" ~ text ~ "'"
        ) }}
    {%- endif -%}
    {{ return(text | int) }}
{%- endmacro %}


{#
    dbt reports a failed test by its name and its number of rows only. The gates' rows carry a
    `failure_message` saying what is wrong and what to do; after the run this hook prints those
    messages for every gate (a test tagged `quality_gate`) that failed, so the reader of the
    build's output, or of the monthly cycle's log, sees them without querying anything.
#}
{% macro explain_failed_gates(results) -%}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- for result in results
        if result.status == 'fail' and result.node.resource_type == 'test' and 'quality_gate' in result.node.tags -%}
        {%- set failures = run_query(
            'select failure_message from (' ~ result.node.compiled_code ~ ') as failures'
        ) -%}
        {%- for row in failures -%}
            {{ log('Quality gate ' ~ result.node.name ~ ' failed: ' ~ row[0], info=True) }}
        {%- endfor -%}
    {%- endfor -%}
    {{ return('') }}
{%- endmacro %}
