{#
    Exposes each raw file as a view `raw.<entity>` with every required column as text, so the
    `raw` sources read like tables and a bad value in one row never stops the load.

    Runs at the start of every dbt invocation (on-run-start), before any model is touched, so a
    missing, empty or unreadable file, or a missing column, stops the build with the file (and
    column) named and leaves the previous warehouse as it was. DuckDB's own errors for a file
    it cannot read (not CSV, not Parquet, not UTF-8) name the file and line. The required columns are the ones declared on the `raw`
    source in models/staging/_raw__sources.yml; extra columns in a file are ignored. A column or
    file marked `meta: {optional: true}` there may be absent: its values then read as null (a file,
    as no rows).

    DuckDB and Spark read the files here; on a database server (Postgres)
    `python -m segmentation.engines.load_raw` loads them into the same text tables first, with the
    same checks, and this checks it has run.
#}
{% macro register_raw_files() -%}
    {{ return(adapter.dispatch('register_raw_files')()) }}
{%- endmacro %}


{% macro duckdb__register_raw_files() -%}
    {{ return(register_raw_files_from_folder()) }}
{%- endmacro %}

{% macro spark__register_raw_files() -%}
    {{ return(register_raw_files_from_folder()) }}
{%- endmacro %}


{#- DuckDB and Spark read the files themselves; only how a file is found and read differs. -#}
{% macro register_raw_files_from_folder() -%}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set raw_dir = raw_data_dir() -%}
    {%- do run_query('create schema if not exists raw') -%}
    {%- for node in graph.sources.values() if node.source_name == 'raw' -%}
        {%- if node.meta.get('optional') and not raw_files_present(raw_dir, [node.name ~ '.csv', node.name ~ '.parquet']) -%}
            {#- an optional file not delivered: a table of its columns with no rows -#}
            {%- do run_query('create or replace view raw.' ~ node.name ~ ' as select ' ~ raw_null_columns(node.columns.keys()) ~ ' where 1 = 0') -%}
        {%- else -%}
        {%- set path = raw_file_path(raw_dir, node.name) -%}
        {%- set reader = raw_file_reader(path, node.name) -%}
        {#- an empty delivery is a failed export, not "no customers": stop rather than replace the marts with nothing -#}
        {%- if run_query('select count(*) from (select 1 from ' ~ reader ~ ' limit 1) as first_row').columns[0].values()[0] == 0 -%}
            {{ exceptions.raise_compiler_error(
                "raw file " ~ path ~ " has no data rows (it is empty or holds only a header)"
            ) }}
        {%- endif -%}
        {%- set present = {} -%}
        {%- for column_name in run_query('select * from ' ~ reader ~ ' limit 0').column_names -%}
            {%- do present.update({column_name | lower | trim: column_name}) -%}
        {%- endfor -%}
        {%- set missing = [] -%}
        {%- for required, column in node.columns.items() if required not in present and not column.meta.get('optional') -%}
            {%- do missing.append(required) -%}
        {%- endfor -%}
        {%- if missing -%}
            {{ exceptions.raise_compiler_error(
                "raw file " ~ path ~ " is missing required column(s): "
                ~ missing | join(', ') ~ " (expected: " ~ node.columns.values() | rejectattr('meta.optional') | map(attribute='name') | join(', ') ~ ")"
            ) }}
        {%- endif -%}
        {%- set select_list = [] -%}
        {%- for required in node.columns.keys() -%}
            {%- if required in present -%}
            {%- do select_list.append('cast(' ~ adapter.quote(present[required]) ~ ' as ' ~ dbt.type_string() ~ ') as ' ~ required) -%}
            {%- else -%}
            {%- do select_list.append(raw_null_columns([required])) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- do run_query(
            'create or replace view raw.' ~ node.name ~ ' as select ' ~ select_list | join(', ') ~ ' from ' ~ reader
        ) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return('') }}
{%- endmacro %}


{#
    A database server (Postgres here) cannot read the files on the machine running dbt:
    `python -m segmentation.engines.load_raw` loads them into `raw` as text tables first. This only
    checks that it has run.
#}
{% macro default__register_raw_files() -%}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- for node in graph.sources.values() if node.source_name == 'raw' -%}
        {%- if adapter.get_relation(database=target.database, schema='raw', identifier=node.name) is none -%}
            {{ exceptions.raise_compiler_error(
                "table raw." ~ node.name ~ " not found in database " ~ target.database
                ~ ": load the raw files first with `python -m segmentation.engines.load_raw --raw-dir <folder>`"
            ) }}
        {%- endif -%}
    {%- endfor -%}
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
    {%- set present = raw_files_present(raw_dir, [entity ~ '.csv', entity ~ '.parquet']) -%}
    {%- for extension in ['csv', 'parquet'] if (entity ~ '.' ~ extension) in present -%}
        {{ return(raw_dir ~ '/' ~ entity ~ '.' ~ extension) }}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error(
        "raw file for '" ~ entity ~ "' not found: expected " ~ raw_dir ~ "/" ~ entity ~ ".csv or "
        ~ raw_dir ~ "/" ~ entity ~ ".parquet (set var raw_data_dir to the folder holding the raw files)"
    ) }}
{%- endmacro %}


{# Which of the file names exist in the folder. #}
{% macro raw_files_present(raw_dir, file_names) -%}
    {{ return(adapter.dispatch('raw_files_present')(raw_dir, file_names)) }}
{%- endmacro %}

{#- dbt requires a default for every dispatched macro; engines without a reader of their own load the files instead. -#}
{% macro default__raw_files_present(raw_dir, file_names) -%}
    {{ exceptions.raise_compiler_error("dbt cannot read raw files itself on " ~ target.type ~ ": load them into the raw schema first") }}
{%- endmacro %}

{% macro duckdb__raw_files_present(raw_dir, file_names) -%}
    {%- set present = [] -%}
    {%- for file_name in file_names -%}
        {%- set candidate = sql_string_literal(raw_dir ~ '/' ~ file_name) -%}
        {%- if run_query("select count(*) from glob(" ~ candidate ~ ")").columns[0].values()[0] > 0 -%}
            {%- do present.append(file_name) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(present) }}
{%- endmacro %}

{% macro spark__raw_files_present(raw_dir, file_names) -%}
    {#- binaryFile lists a folder; a missing folder is an error that names it. -#}
    {%- set listed = [] -%}
    {%- for path in run_query("select path from binaryFile.`" ~ raw_dir ~ "`").columns[0].values() -%}
        {%- do listed.append(path.split('/') | last) -%}
    {%- endfor -%}
    {{ return(file_names | select('in', listed) | list) }}
{%- endmacro %}


{# A relation (or table function) reading the raw file with every column as text. #}
{% macro raw_file_reader(path, entity) -%}
    {{ return(adapter.dispatch('raw_file_reader')(path, entity)) }}
{%- endmacro %}

{% macro default__raw_file_reader(path, entity) -%}
    {{ exceptions.raise_compiler_error("dbt cannot read raw files itself on " ~ target.type ~ ": load them into the raw schema first") }}
{%- endmacro %}

{% macro duckdb__raw_file_reader(path, entity) -%}
    {%- if path.endswith('.parquet') -%}
        {{ return('read_parquet(' ~ sql_string_literal(path) ~ ')') }}
    {%- endif -%}
    {{ return('read_csv(' ~ sql_string_literal(path) ~ ", header = true, delim = ',', quote = '\"', escape = '\"', all_varchar = true)") }}
{%- endmacro %}

{% macro spark__raw_file_reader(path, entity) -%}
    {#- A table over the file in the session's catalog; CSV read as DuckDB reads it (quotes doubled, quoted line breaks). -#}
    {%- set table = 'raw.' ~ entity ~ '__file' -%}
    {%- do run_query('drop table if exists ' ~ table) -%}
    {%- if path.endswith('.parquet') -%}
        {%- do run_query('create table ' ~ table ~ ' using parquet options (path ' ~ sql_string_literal(path) ~ ')') -%}
    {%- else -%}
        {%- do run_query(
            'create table ' ~ table ~ ' using csv options (path ' ~ sql_string_literal(path)
            ~ ", header 'true', sep ',', quote '\"', escape '\"', multiLine 'true', inferSchema 'false')"
        ) -%}
    {%- endif -%}
    {{ return(table) }}
{%- endmacro %}


{# Null text columns, for an optional column or file that was not delivered. #}
{% macro raw_null_columns(columns) -%}
    {%- set select_list = [] -%}
    {%- for column in columns -%}
        {%- do select_list.append('cast(null as ' ~ dbt.type_string() ~ ') as ' ~ column) -%}
    {%- endfor -%}
    {{ return(select_list | join(', ')) }}
{%- endmacro %}


{% macro sql_string_literal(text) -%}
    {{ return("'" ~ text | replace("'", "''") ~ "'") }}
{%- endmacro %}
