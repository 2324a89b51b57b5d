{#
    Exposes each raw file as a view `raw.<entity>` with every required column as text, so the
    `raw` sources read like tables and a bad value in one row never stops the load.

    Runs at the start of every dbt invocation (on-run-start), before any model is touched, so a
    missing, empty or unreadable file, or a missing column, stops the build with the file (and
    column) named and leaves the previous warehouse as it was. On DuckDB a CSV file goes through the
    tolerant reader of macros/raw_csv.sql (malformed lines become rejected rows; another delimiter
    or a file that is not UTF-8 stops with the project's own message); a file that is not CSV or
    Parquet stops with DuckDB's error, which names it. The required columns are the ones declared
    on the `raw` source in models/staging/_raw__sources.yml; extra columns in a file are ignored.
    A column or file marked `meta: {optional: true}` there may be absent: its values then read as
    null (a file, as no rows).

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
        {%- set columns = node.columns.keys() | list -%}
        {%- if node.meta.get('optional') and not raw_files_present(raw_dir, [node.name ~ '.csv', node.name ~ '.parquet']) -%}
            {#- an optional file not delivered: its columns with no rows -#}
            {%- do run_query(
                'create or replace view raw.' ~ node.name ~ ' as select ' ~ raw_null_columns(columns) ~ ', '
                ~ raw_line_columns_null() ~ ' where 1 = 0'
            ) -%}
        {%- else -%}
            {%- set required = [] -%}
            {%- for name, column in node.columns.items() if not column.meta.get('optional') -%}
                {%- do required.append(name) -%}
            {%- endfor -%}
            {%- set path = raw_file_path(raw_dir, node.name) -%}
            {%- do adapter.dispatch('register_raw_file')(path, node.name, columns, required) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return('') }}
{%- endmacro %}


{#-
    `columns` are the source's columns, `required` those not marked `meta: {optional: true}`
    (models/staging/_raw__sources.yml): an optional column the file lacks reads as null.
    dbt requires a default for every dispatched macro; the engines that read files themselves name theirs.
-#}
{% macro default__register_raw_file(path, entity, columns, required) -%}
    {%- do register_raw_file_as_text(path, entity, columns, required) -%}
{%- endmacro %}

{#- DuckDB reads a CSV file with the tolerant reader of macros/raw_csv.sql. -#}
{% macro duckdb__register_raw_file(path, entity, columns, required) -%}
    {%- if path.endswith('.parquet') -%}
        {%- do register_raw_file_as_text(path, entity, columns, required) -%}
    {%- else -%}
        {%- set header = raw_csv_header(path) -%}
        {%- do raw_csv_check_columns(path, header, required) -%}
        {%- set scan = raw_csv_scan_malformed(path, entity, header | length) -%}
        {%- if scan.well_formed == 0 and run_query('select count(*) from raw.' ~ entity ~ '__malformed').columns[0].values()[0] == 0 -%}
            {{ exceptions.raise_compiler_error(
                "raw file " ~ path ~ " has no data rows (it is empty or holds only a header)"
            ) }}
        {%- endif -%}
        {%- set select_list = [] -%}
        {%- for column in columns -%}
            {%- if column in header -%}
                {#- the first header field of that name, as the CSV reader numbers them -#}
                {%- do select_list.append('c' ~ (header.index(column) + 1) ~ ' as ' ~ column) -%}
            {%- else -%}
                {%- do select_list.append(raw_null_columns([column])) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- do run_query(
            'create or replace view raw.' ~ entity ~ ' as select ' ~ select_list | join(', ') ~ ', '
            ~ raw_line_columns_null() ~ ' from ' ~ raw_csv_reader(path, header | length, scan.reader_options)
            ~ ' union all select ' ~ raw_null_columns(columns)
            ~ ', line_number, line_text, line_reject_reason from raw.' ~ entity ~ '__malformed'
        ) -%}
    {%- endif -%}
{%- endmacro %}


{#
    A file read by the engine's own reader: every required column as text, the three line columns
    null. An empty file or a missing column stops the build, naming the file (and column).
#}
{% macro register_raw_file_as_text(path, entity, columns, required) -%}
    {%- set reader = raw_file_reader(path, entity) -%}
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
    {%- for column in required if column not in present -%}
        {%- do missing.append(column) -%}
    {%- endfor -%}
    {%- if missing -%}
        {{ exceptions.raise_compiler_error(
            "raw file " ~ path ~ " is missing required column(s): "
            ~ missing | join(', ') ~ " (expected: " ~ required | join(', ') ~ ")"
        ) }}
    {%- endif -%}
    {%- set select_list = [] -%}
    {%- for column in columns -%}
        {%- if column in present -%}
            {%- do select_list.append('cast(' ~ adapter.quote(present[column]) ~ ' as ' ~ dbt.type_string() ~ ') as ' ~ column) -%}
        {%- else -%}
            {%- do select_list.append(raw_null_columns([column])) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- do run_query(
        'create or replace view raw.' ~ entity ~ ' as select ' ~ select_list | join(', ') ~ ', '
        ~ raw_line_columns_null() ~ ' from ' ~ reader
    ) -%}
{%- endmacro %}


{#
    Every raw relation carries three columns besides the file's: `line_number`, `line_text` and
    `line_reject_reason`, set only on a line the reader could not split into the header's fields
    (macros/raw_csv.sql). Staging rejects such a row with that reason.
#}
{% macro raw_line_columns_null() -%}
    {{ return(
        'cast(null as ' ~ dbt.type_bigint() ~ ') as line_number, cast(null as ' ~ dbt.type_string()
        ~ ') as line_text, cast(null as ' ~ dbt.type_string() ~ ') as line_reject_reason'
    ) }}
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
