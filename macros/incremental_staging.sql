{#
    Incremental staging of transactions (models/staging/base/base_transactions.sql) and of behaviour
    events (base_behavior_events.sql, at the end of this file).

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
    {%- set columns = adapter.get_columns_in_relation(this) | map(attribute='name') | map('lower') | list -%}
    {%- if 'loaded_as_of' not in columns -%}
        {{ exceptions.raise_compiler_error(
            this ~ ' was staged by a version of the project that staged the whole file every run (it has no'
            ~ ' loaded_as_of column): stage it again with --full-refresh (make warehouse FULL_REFRESH=1)'
        ) }}
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


{#
    Behaviour events, by the same rule on the event's date (occurred_at's date part): a row is
    settled once a run as of that date or later has staged it. base_behavior_events ranks the copies
    of an event_id inside the model rather than in a table of repeats, so the copies of an id must be
    ranked together again whenever one of them is deleted: a run stages again every row of an id that
    an unsettled row carries, whether the unsettled row is in the file (it is staged again) or in the
    table only (the file no longer has it). The other ids keep all their copies, so their ranking stands.
#}

{# Whether a row of base_behavior_events is unsettled: occurred_at is null exactly when its text does not parse. #}
{% macro is_unsettled_staged_event() -%}
    occurred_at is null or cast(occurred_at as date) > loaded_as_of
{%- endmacro %}

{# Whether a raw event's occurred_at is missing, unparseable, or dated after `settled_through`. #}
{% macro is_unsettled_event(settled_through) -%}
    {{ return(adapter.dispatch('is_unsettled_event')(settled_through)) }}
{%- endmacro %}

{% macro default__is_unsettled_event(settled_through) -%}
    coalesce(
        cast({{ parse_iso_timestamp(field_text('occurred_at')) }} as date) > {{ date_literal(settled_through) }}, true
    )
{%- endmacro %}

{#-
    As duckdb__is_unsettled settles plain dates: a plain `YYYY-MM-DD hh:mm:ss` on or before the date is
    settled by two globs and a cast, and only the other rows go through the full parse, whose answer for
    such a text is the same.
-#}
{% macro duckdb__is_unsettled_event(settled_through) -%}
    not (
        (
            occurred_at glob '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [01][0-9]:[0-5][0-9]:[0-5][0-9]'
            or occurred_at glob '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] 2[0-3]:[0-5][0-9]:[0-5][0-9]'
        )
        and coalesce(try_cast(substr(occurred_at, 1, 10) as date) <= {{ date_literal(settled_through) }}, false)
    )
    and {{ default__is_unsettled_event(settled_through) }}
{%- endmacro %}

{#
    The ids whose settled rows a run stages again: the event_ids of settled rows of the table that an
    unsettled row, in the file or in the table, also carries. Usually there are none (a month's events
    have new ids). Asked with run_query when the model and its pre-hook are compiled, both before the
    pre-hook deletes anything, so both get the same answer; the model inlines the ids, since by the time
    its query runs the pre-hook has deleted the table's unsettled rows. Beyond the var
    event_restage_id_limit ids the answer is none: the run then stages the whole file again, as a full
    refresh would.
#}
{% macro settled_event_ids_to_restage(settled_through) -%}
    {%- set limit = var('event_restage_id_limit') | int -%}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set answer = run_query(
        'select distinct event_id from ' ~ this
        ~ ' where not (' ~ is_unsettled_staged_event() ~ ') and event_id in ('
        ~ 'select ' ~ parse_integer(field_text('event_id')) ~ ' from ' ~ source('raw', 'behavior_events')
        ~ ' where ' ~ is_unsettled_event(settled_through)
        ~ ' union all select event_id from ' ~ this ~ ' where ' ~ is_unsettled_staged_event()
        ~ ') order by event_id limit ' ~ (limit + 1)
    ) -%}
    {%- set ids = answer.columns[0].values() | list -%}
    {{ return(none if ids | length > limit else ids) }}
{%- endmacro %}

{#
    The raw rows base_behavior_events stages on a later run: the unsettled ones, and every row of the
    ids above (compared as staging parses the id). None when the whole file is to be staged.
#}
{% macro events_to_stage(settled_through) -%}
    {%- set restaged_ids = settled_event_ids_to_restage(settled_through) -%}
    {%- if restaged_ids is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set condition = is_unsettled_event(settled_through) -%}
    {%- if restaged_ids -%}
        {%- set condition = condition ~ ' or ' ~ parse_integer(field_text('event_id'))
            ~ ' in (' ~ restaged_ids | join(', ') ~ ')' -%}
    {%- endif -%}
    {{ return(condition) }}
{%- endmacro %}

{# The pre-hook of base_behavior_events: the rows the run stages again (all when it stages the whole file). #}
{% macro delete_unsettled_events() -%}
    {%- if is_incremental() -%}
        {%- set settled_through = latest_settled_as_of() -%}
        {%- set restaged_ids = settled_event_ids_to_restage(settled_through) if settled_through is not none else none -%}
        delete from {{ this }}
        {%- if restaged_ids is not none %}
        where {{ is_unsettled_staged_event() }}
            {%- if restaged_ids %}
            or event_id in ({{ restaged_ids | join(', ') }})
            {%- endif %}
        {%- endif %}
    {%- endif -%}
{%- endmacro %}


{#
    The pre-hook of int_behavior_events_matched: its rows that are no longer what a full build gives, that is
    whose event staging no longer has as the same staged row, or whose customer is no longer known.
#}
{% macro delete_changed_matched_events() -%}
    {%- if is_incremental() -%}
        delete from {{ this }} as kept
        where not exists (
            select 1 from {{ ref('stg_behavior_events') }} as events
            where events.event_id = kept.event_id
                and events.staged_by = kept.staged_by
        )
        or not exists (
            select 1 from {{ ref('stg_customers') }} as customers
            where customers.customer_id = kept.customer_id
        )
    {%- endif -%}
{%- endmacro %}
