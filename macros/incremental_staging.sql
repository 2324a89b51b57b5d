{#
    Incremental staging of transactions (models/staging/base/base_transactions.sql).

    A row is settled when it has a transaction date on or before the as-of date of the run that
    staged it (`loaded_as_of`). Its verdict depends only on its own text; the other rows (dated
    after it, or with a missing or unparseable date) may still change. A run stages the rows dated
    after the latest `loaded_as_of` and the rows without a usable date, after its pre-hook has
    deleted every row that is not settled.

    base_transactions__repeats follows: it resolves again the ids of the rows the run staged.
#}

{# The pre-hook of base_transactions. #}
{% macro delete_unsettled_transactions() -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where transaction_date is null
            or transaction_date > loaded_as_of
    {%- endif -%}
{%- endmacro %}


{#
    The latest `loaded_as_of`: the model stages only rows dated after it (and rows without a
    date). None when the whole file is staged: a first run, a full refresh or an empty table.
    Read when the model is compiled, before the pre-hook runs; its deletions do not change it.
#}
{% macro latest_settled_as_of() -%}
    {%- if not execute or not is_incremental() -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set answer = run_query('select max(loaded_as_of) from ' ~ this) -%}
    {%- set latest = answer.columns[0].values()[0] -%}
    {{ return(none if latest is none else (latest | string)[:10]) }}
{%- endmacro %}


{# Whether a raw row's date text is missing, unparseable or after `settled_through` (ISO text). #}
{% macro is_unsettled(column, settled_through) -%}
    {{ return(adapter.dispatch('is_unsettled')(column, settled_through)) }}
{%- endmacro %}

{% macro default__is_unsettled(column, settled_through) -%}
    coalesce({{ parse_iso_date(field_text(column)) }} > {{ date_literal(settled_through) }}, true)
{%- endmacro %}

{#-
    The same answer on DuckDB, where this filter costs most of an incremental run, in less time:
    nearly every row is a plain ISO date on or before `settled_through`, and a glob with a cast
    settles it without trimming. Only the rest go through the full parse, whose answer is
    then the same as the default's, since a plain ISO text is its own trimmed text.
-#}
{% macro duckdb__is_unsettled(column, settled_through) -%}
    not ({{ column }} glob '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'
        and coalesce(try_cast({{ column }} as date) <= {{ date_literal(settled_through) }}, false))
    and {{ default__is_unsettled(column, settled_through) }}
{%- endmacro %}


{#
    The ids of the rows this run staged into base_transactions, whatever their verdict: a restaged
    row may have been a usable copy before the run and be rejected now (an unsettled row whose
    text changed), so its id's repeats are stale too. Rows an earlier run staged as of the same
    date are included; resolving their ids again changes nothing.
#}
{% macro ids_staged_by_this_run() -%}
    select transaction_id from {{ ref('base_transactions') }} where loaded_as_of = {{ date_literal(as_of_date()) }}
{%- endmacro %}


{# The pre-hook of base_transactions__repeats. #}
{% macro delete_repeats_of_restaged_ids() -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where transaction_id in ({{ ids_staged_by_this_run() }})
    {%- endif -%}
{%- endmacro %}
