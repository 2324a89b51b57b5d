{#
    The as-of date A and every window derived from it, computed once here.

    The bounds are rendered as date literals rather than `A - 90` expressions so that every
    engine sees the same constants (date arithmetic differs between DuckDB, Postgres and Spark)
    and the filters can be pushed down into the scans.
#}

{#
    The var `as_of_date`; without it, the environment variable SEGMENTATION_AS_OF_DATE; without
    either, the run's current date (UTC). A new value of a var makes dbt parse the whole project
    again, so the monthly schedule (python -m segmentation.run_month) passes the date in the
    environment. It is read only while running, never while parsing: dbt re-parses every file
    that read an environment variable during the parse when its value changes.
#}
{% macro as_of_date() -%}
    {#- The var may arrive as a YAML date (unquoted 2024-03-31) or a string. -#}
    {%- set raw = var('as_of_date', '') -%}
    {%- set value = (raw | string | trim) if raw is not none else '' -%}
    {%- set source = 'var as_of_date' -%}
    {%- if (value == '' or value == 'None') and execute -%}
        {%- set value = env_var('SEGMENTATION_AS_OF_DATE', '') | trim -%}
        {%- set source = 'environment variable SEGMENTATION_AS_OF_DATE' -%}
    {%- endif -%}
    {%- if value == '' or value == 'None' -%}
        {{ return(run_started_at.strftime('%Y-%m-%d')) }}
    {%- endif -%}
    {%- if not modules.re.fullmatch('[0-9]{4}-[0-9]{2}-[0-9]{2}', value) -%}
        {{ exceptions.raise_compiler_error(source ~ " must be an ISO date (YYYY-MM-DD), got '" ~ value ~ "'") }}
    {%- endif -%}
    {{ return(modules.datetime.datetime.strptime(value, '%Y-%m-%d').strftime('%Y-%m-%d')) }}
{%- endmacro %}


{% macro as_of_windows(iso_date=none) -%}
    {%- set a = modules.datetime.datetime.strptime(iso_date or as_of_date(), '%Y-%m-%d').date() -%}
    {%- set days = modules.datetime.timedelta -%}
    {{ return({
        'as_of': a.isoformat(),
        'current_start': (a - days(days=90)).isoformat(),
        'prior_start': (a - days(days=180)).isoformat(),
        'prior_end': (a - days(days=91)).isoformat(),
        'before_prior_start': (a - days(days=181)).isoformat(),
        'year_start': (a - days(days=365)).isoformat(),
        'before_year_start': (a - days(days=366)).isoformat(),
    }) }}
{%- endmacro %}


{#
    The as-of dates one run computes, oldest first: A, and with the var `backfill_months` = N
    also the N latest month-ends on or before A. A backfill is then one set-based pass over the
    transactions rather than N builds, and A stays the run's own date (the date of the mart).
#}
{% macro as_of_dates() -%}
    {%- set a = modules.datetime.datetime.strptime(as_of_date(), '%Y-%m-%d').date() -%}
    {%- set day = modules.datetime.timedelta(days=1) -%}
    {%- set months = var('backfill_months', 0) | int -%}
    {%- if months < 0 -%}
        {{ exceptions.raise_compiler_error("var backfill_months must be 0 or more, got " ~ months) }}
    {%- endif -%}
    {%- set dates = [a.isoformat()] -%}
    {%- set month_end = namespace(value=a if (a + day).day == 1 else a.replace(day=1) - day) -%}
    {%- for _ in range(months) -%}
        {%- if month_end.value.isoformat() not in dates -%}
            {%- do dates.append(month_end.value.isoformat()) -%}
        {%- endif -%}
        {%- set month_end.value = month_end.value.replace(day=1) - day -%}
    {%- endfor -%}
    {{ return(dates | sort) }}
{%- endmacro %}


{% macro date_literal(iso_date) -%}
    cast('{{ iso_date }}' as date)
{%- endmacro %}


{#
    Complete months from `start_date` to `end_date`: the month difference, less one when the
    end's day of month is before the start's (signup on the 31st, as of the 30th, is not yet a
    full month).
#}
{% macro complete_months_between(start_date, end_date) -%}
    (
        (extract(year from {{ end_date }}) - extract(year from {{ start_date }})) * 12
        + extract(month from {{ end_date }}) - extract(month from {{ start_date }})
        - case when extract(day from {{ end_date }}) < extract(day from {{ start_date }}) then 1 else 0 end
    )
{%- endmacro %}
