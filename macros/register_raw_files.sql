{#
    Exposes each raw file as a view `raw.<entity>` with every required column as text, so the
    `raw` sources read like tables and a bad value in one row never stops the load.

    Runs at the start of every dbt invocation (on-run-start), before any model is touched, so a
    missing, empty or unreadable file, or a missing column, stops the build with the file (and
    column) named and leaves the previous warehouse as it was. DuckDB's own errors for a file
    it cannot read (not CSV, not Parquet, not UTF-8) name the file and line. The required columns are the ones declared on the `raw`
    source in models/staging/_raw__sources.yml; extra columns in a file are ignored.
#}
{% macro register_raw_files() -%}
    {{ return(adapter.dispatch('register_raw_files')()) }}
{%- endmacro %}


{% macro duckdb__register_raw_files() -%}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set raw_dir = raw_data_dir() -%}
    {%- do run_query('create schema if not exists raw') -%}
    {%- for node in graph.sources.values() if node.source_name == 'raw' -%}
        {%- set reader = raw_file_reader(raw_dir, node.name) -%}
        {#- an empty delivery is a failed export, not "no customers": stop rather than replace the marts with nothing -#}
        {%- if run_query('select count(*) from (select 1 from ' ~ reader ~ ' limit 1) as first_row').columns[0].values()[0] == 0 -%}
            {{ exceptions.raise_compiler_error(
                "raw file " ~ raw_file_path(raw_dir, node.name) ~ " has no data rows (it is empty or holds only a header)"
            ) }}
        {%- endif -%}
        {%- set present = {} -%}
        {%- for column_name in run_query('select * from ' ~ reader ~ ' limit 0').column_names -%}
            {%- do present.update({column_name | lower | trim: column_name}) -%}
        {%- endfor -%}
        {%- set missing = [] -%}
        {%- for required in node.columns.keys() if required not in present -%}
            {%- do missing.append(required) -%}
        {%- endfor -%}
        {%- if missing -%}
            {{ exceptions.raise_compiler_error(
                "raw file " ~ raw_file_path(raw_dir, node.name) ~ " is missing required column(s): "
                ~ missing | join(', ') ~ " (expected: " ~ node.columns.keys() | join(', ') ~ ")"
            ) }}
        {%- endif -%}
        {%- set select_list = [] -%}
        {%- for required in node.columns.keys() -%}
            {%- do select_list.append('cast(' ~ adapter.quote(present[required]) ~ ' as varchar) as ' ~ required) -%}
        {%- endfor -%}
        {%- do run_query(
            'create or replace view raw.' ~ node.name ~ ' as select ' ~ select_list | join(', ') ~ ' from ' ~ reader
        ) -%}
    {%- endfor -%}
    {{ return('') }}
{%- endmacro %}


{% macro default__register_raw_files() -%}
    {#- Other engines receive the raw files as tables in the `raw` schema from a load step. -#}
    {{ return('') }}
{%- endmacro %}


{#
    The raw directory. A relative one is relative to the project root: dbt runs from the
    project root unless --project-dir names another, in which case that is joined on.
#}
{% macro raw_data_dir() -%}
    {%- set configured = (var('raw_data_dir') | string).rstrip('/') -%}
    {%- set project_dir = (flags.PROJECT_DIR or '') | string -%}
    {%- if configured.startswith('/') or project_dir in ('', '.', 'None') -%}
        {{ return(configured) }}
    {%- endif -%}
    {{ return(project_dir.rstrip('/') ~ '/' ~ configured) }}
{%- endmacro %}


{# `<dir>/<entity>.csv` or `<dir>/<entity>.parquet`, whichever exists; an error naming both otherwise. #}
{% macro raw_file_path(raw_dir, entity) -%}
    {%- for extension in ['csv', 'parquet'] -%}
        {%- set candidate = raw_dir ~ '/' ~ entity ~ '.' ~ extension -%}
        {%- set found = run_query("select count(*) from glob('" ~ candidate | replace("'", "''") ~ "')").columns[0].values()[0] -%}
        {%- if found > 0 -%}
            {{ return(candidate) }}
        {%- endif -%}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error(
        "raw file for '" ~ entity ~ "' not found: expected " ~ raw_dir ~ "/" ~ entity ~ ".csv or "
        ~ raw_dir ~ "/" ~ entity ~ ".parquet (set var raw_data_dir to the folder holding the raw files)"
    ) }}
{%- endmacro %}


{% macro raw_file_reader(raw_dir, entity) -%}
    {%- set path = raw_file_path(raw_dir, entity) -%}
    {%- set quoted = "'" ~ path | replace("'", "''") ~ "'" -%}
    {%- if path.endswith('.parquet') -%}
        {{ return('read_parquet(' ~ quoted ~ ')') }}
    {%- endif -%}
    {{ return('read_csv(' ~ quoted ~ ", header = true, delim = ',', quote = '\"', escape = '\"', all_varchar = true)") }}
{%- endmacro %}
