{#
    Strict parsers for raw text. A plain cast is too forgiving for the rules' contract:
    DuckDB casts '1.5' to the integer 2, '1e3' to 1000 and '2024/01/05' to a date, so each
    parser first checks the text's shape and only then casts. Null means "not parseable".

    The parsers take a field's text as `field_text` gives it (trimmed, blank as null), so a
    model trims each raw field once rather than in every parser and reject check.
#}

{#- trim() is costly on DuckDB at this row count; checking the two ends with `like` first skips it
    on the clean fields, which are nearly all of them. The result is trim()'s either way. -#}
{% macro field_text(column) -%}
    nullif(case when {{ column }} like ' %' or {{ column }} like '% ' then trim({{ column }}) else {{ column }} end, '')
{%- endmacro %}

{% macro parse_integer(column) -%}
    {{ return(adapter.dispatch('parse_integer')(column)) }}
{%- endmacro %}

{% macro default__parse_integer(column) -%}
    case when {{ matches_fully(column, '[+-]?[0-9]{1,18}') }} then cast({{ column }} as bigint) end
{%- endmacro %}


{#
    An ISO date, alone or followed by a time of day and a zone, as exports write date-times
    (`2025-10-05 00:00:00`, `2025-10-05T14:30:00Z`, `2025-10-05T14:30:00+02:00`): the date is the
    date part as written, with no conversion between zones.
#}
{% macro parse_iso_date(column) -%}
    {{ return(adapter.dispatch('parse_iso_date')(column)) }}
{%- endmacro %}

{% macro iso_date_time_pattern() -%}
    {{ return('[0-9]{4}-[0-9]{2}-[0-9]{2}([ T]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9]([.][0-9]+)?)?'
        ~ ' ?(Z|UTC|[+-][0-9]{2}(:?[0-9]{2})?)?)?') }}
{%- endmacro %}

{% macro default__parse_iso_date(column) -%}
    {#- try_cast still rejects impossible days such as 2024-02-30. -#}
    case when {{ matches_fully(column, iso_date_time_pattern()) }} then try_cast(substr({{ column }}, 1, 10) as date) end
{%- endmacro %}

{% macro duckdb__parse_iso_date(column) -%}
    {#- Nearly every value is a plain date: a glob, which DuckDB matches without its regular-expression engine, settles those. -#}
    case
        when {{ column }} glob '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]' then try_cast({{ column }} as date)
        when {{ matches_fully(column, iso_date_time_pattern()) }} then try_cast(substr({{ column }}, 1, 10) as date)
    end
{%- endmacro %}

{% macro postgres__parse_iso_date(column) -%}
    {#- Postgres has no try_cast and its cast raises on 2024-02-30, so the day is checked against its month's length first. -#}
    case
        when {{ matches_fully(column, iso_date_time_pattern()) }}
            and {{ matches_fully('substr(' ~ column ~ ', 1, 10)', '[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])') }}
            and substr({{ column }}, 1, 4) <> '0000'
            and cast(substr({{ column }}, 9, 2) as integer) <= extract(day from
                cast(substr({{ column }}, 1, 7) || '-01' as date) + interval '1 month' - interval '1 day')
            then cast(substr({{ column }}, 1, 10) as date)
    end
{%- endmacro %}


{% macro parse_money(column) -%}
    {{ return(adapter.dispatch('parse_money')(column)) }}
{%- endmacro %}

{% macro default__parse_money(column) -%}
    {#- Sub-cent digits round half away from zero to the cent; values past decimal(18,2) fail the cast. -#}
    case
        when {{ matches_fully(column, '[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)') }}
            then try_cast({{ column }} as decimal(18, 2))
    end
{%- endmacro %}

{% macro postgres__parse_money(column) -%}
    {#- The cast to numeric(18, 2) rounds half away from zero as DuckDB's does, but raises past 16 integer digits. -#}
    case
        when {{ matches_fully(column, '[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)') }}
            and abs(cast({{ column }} as numeric)) < 9999999999999999.995
            then cast({{ column }} as numeric(18, 2))
    end
{%- endmacro %}


{# Whether the whole text matches a regular expression (no anchors needed in `pattern`). #}
{% macro matches_fully(column, pattern) -%}
    {{ return(adapter.dispatch('matches_fully')(column, pattern)) }}
{%- endmacro %}

{% macro duckdb__matches_fully(column, pattern) -%}
    regexp_full_match({{ column }}, '{{ pattern }}')
{%- endmacro %}

{% macro default__matches_fully(column, pattern) -%}
    regexp_like({{ column }}, '^({{ pattern }})$')
{%- endmacro %}

{% macro postgres__matches_fully(column, pattern) -%}
    ({{ column }} ~ '^({{ pattern }})$')
{%- endmacro %}

{% macro spark__matches_fully(column, pattern) -%}
    ({{ column }} rlike '^({{ pattern }})$')
{%- endmacro %}


{#
    The first checks of every raw row: a line the CSV reader could not split into the header's
    fields (its reason set by the loader, segmentation/ingest/csv_reader.py), and a copy of the
    header line inside the file, as concatenated exports have. `columns` are the source's columns,
    read as `raw_<column>`.
#}
{% macro reject_if_not_a_row(columns) -%}
            when line_reject_reason is not null then line_reject_reason
            {# the `ilike` settles nearly every row before the costlier trim and lower #}
            when raw_{{ columns[0] }} ilike '%{{ columns[0] }}%'
                and {% for column in columns %}lower(trim(raw_{{ column }})) = '{{ column }}'{{ ' and ' if not loop.last }}{% endfor %}
                then 'a repeated header line'
{%- endmacro %}


{#
    `name as {{ materialized_cte(['postgres']) }} (`: renders `materialized` on the engines named,
    where the CTE must be kept once rather than inlined; nothing elsewhere (Spark has no such
    clause). Postgres inlines a CTE that is referenced once, so each parsed field and verdict
    would be parsed again in every later expression that reads it.
#}
{% macro materialized_cte(engines) -%}
    {%- if target.type in engines %}materialized{% endif -%}
{%- endmacro %}


{#
    An ISO timestamp `YYYY-MM-DD`, `YYYY-MM-DD HH:MM:SS` or `YYYY-MM-DDTHH:MM:SS`, with optional
    fractional seconds (dropped) and an optional `Z`; read as UTC. Another offset, or an impossible
    date or time, is not parseable (null).
#}
{% macro parse_iso_timestamp(column) -%}
    {{ return(adapter.dispatch('parse_iso_timestamp')(column)) }}
{%- endmacro %}

{% macro default__parse_iso_timestamp(column) -%}
    case
        when {{ matches_fully(column, '[0-9]{4}-[0-9]{2}-[0-9]{2}([T ]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]([.][0-9]+)?Z?)?') }}
            then try_cast(replace(substr({{ column }}, 1, 19), 'T', ' ') as timestamp)
    end
{%- endmacro %}

{% macro postgres__parse_iso_timestamp(column) -%}
    {#- The date part is checked as parse_iso_date checks it (Postgres raises on 2024-02-30); the regex bounds the time. -#}
    case
        when {{ matches_fully(column, '[0-9]{4}-[0-9]{2}-[0-9]{2}([T ]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]([.][0-9]+)?Z?)?') }}
            then {{ postgres__parse_iso_date('substr(' ~ column ~ ', 1, 10)') }}
            + case
                when length({{ column }}) > 10 then cast(substr({{ column }}, 12, 8) as time)
                else cast('00:00:00' as time)
            end
    end
{%- endmacro %}


{#
    A boolean written `true/false`, `1/0` or `yes/no` in any case (docs/rules/raw-input.md); anything else,
    and a blank, is null.
#}
{% macro parse_boolean(column) -%}
    case
        when lower({{ column }}) in ('true', '1', 'yes') then true
        when lower({{ column }}) in ('false', '0', 'no') then false
    end
{%- endmacro %}


{# A communication channel `Email`, `SMS`, `Phone` or `Push` in any case, as `email`, `sms`, `phone`, `push`; else null. #}
{% macro parse_channel(column) -%}
    case when lower({{ column }}) in ('email', 'sms', 'phone', 'push') then lower({{ column }}) end
{%- endmacro %}
