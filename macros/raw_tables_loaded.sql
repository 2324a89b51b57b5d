{#
    dbt reads no file: `python -m segmentation.ingest` loads the raw files into the `raw` tables first, and dbt reads
    those as its `raw` source (docs/rules/raw-input.md). At the start of every run this checks, before any model is
    touched, that the tables are there, so a build on a target never loaded stops with the command that loads it;
    and that a `raw_data_dir` given to this run names the folder they were loaded from, so one delivery's tables are
    never built as another's. Both read the catalog and the load manifest only.
#}
{% macro check_raw_tables_loaded() -%}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set command = 'python -m segmentation.ingest --raw-dir ' ~ var('raw_data_dir')
        ~ ('' if target.type == 'duckdb' else ' --target ' ~ target.name) -%}
    {%- set missing = [] -%}
    {%- for name in ['load_manifest'] + raw_source_tables() -%}
        {%- if adapter.get_relation(database=target.database, schema='raw', identifier=name) is none -%}
            {%- do missing.append('raw.' ~ name) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if missing -%}
        {{ exceptions.raise_compiler_error(
            "the raw files are not loaded into target " ~ target.name ~ " (" ~ missing | join(', ') ~ " not found):"
            ~ " dbt reads the raw tables, not the files. Load them first: `" ~ command ~ "`"
            ~ " (make warehouse and the monthly cycle do), then run dbt again"
        ) }}
    {%- endif -%}
    {%- do check_raw_data_dir_loaded(command) -%}
    {{ return('') }}
{%- endmacro %}


{# The names of the `raw` source's tables (models/staging/_raw__sources.yml). #}
{% macro raw_source_tables() -%}
    {%- set names = [] -%}
    {%- for node in graph.sources.values() if node.source_name == 'raw' -%}
        {%- do names.append(node.name) -%}
    {%- endfor -%}
    {{ return(names | sort) }}
{%- endmacro %}


{#
    When this run is given `raw_data_dir` (--vars), it must be the folder of the latest load, as the loader was given
    it or as the folder it opened; a run without it builds whatever was loaded last.
#}
{% macro check_raw_data_dir_loaded(command) -%}
    {%- set run_vars = invocation_args_dict.get('vars') or {} -%}
    {%- if run_vars is string -%}
        {%- set run_vars = fromyaml(run_vars) or {} -%}
    {%- endif -%}
    {%- if 'raw_data_dir' not in run_vars -%}
        {{ return('') }}
    {%- endif -%}
    {%- set wanted = (run_vars['raw_data_dir'] | string).rstrip('/') -%}
    {%- set latest = run_query(
        'select raw_dir, raw_dir_path from raw.load_manifest order by loaded_at desc limit 1'
    ) -%}
    {%- if latest.rows | length == 0 -%}
        {{ return('') }}
    {%- endif -%}
    {%- set loaded_as_given, loaded_path = latest.rows[0][0].rstrip('/'), latest.rows[0][1].rstrip('/') -%}
    {%- if wanted not in (loaded_as_given, loaded_path) -%}
        {{ exceptions.raise_compiler_error(
            "var raw_data_dir is " ~ wanted ~ ", but the raw tables of target " ~ target.name ~ " were loaded from "
            ~ loaded_as_given ~ " (" ~ loaded_path ~ "): load " ~ wanted ~ " first (`" ~ command ~ "`),"
            ~ " or leave raw_data_dir out to build what is loaded"
        ) }}
    {%- endif -%}
{%- endmacro %}
