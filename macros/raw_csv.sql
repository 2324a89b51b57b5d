{#
    The tolerant CSV reader on DuckDB (spec section 1, "Real exports are messy").

    A raw CSV file is read in three steps, before any model runs:
    1. `raw_csv_header` reads the first line alone, as text, so a file whose header only parses with
       another delimiter, or whose first line is not UTF-8, stops with the project's own message.
    2. `raw_csv_scan_malformed` reads the whole file once with DuckDB's reject store: lines that are
       not well-formed rows (too few or too many fields, an unclosed quote) go to
       `raw.<entity>__malformed` with their line number, their text and a reason; a byte that is not
       UTF-8 stops the build, naming the line and how to convert the file; whitespace-only lines are
       not rows and are dropped here.
    3. `raw.<entity>` is a view over the same reader, skipping exactly those lines, with the
       malformed lines appended as rows whose fields are null and whose `line_reject_reason` is set,
       so staging rejects them like any other bad row and raw = clean + rejected + duplicates still
       counts every line.

    Line numbers are the CSV reader's: the physical line number, except after a quoted value that
    spans lines, which counts as one line (docs/data-quality.md).
#}

{#- The reader options shared by the scan and the view; columns are named by position (c1, c2, …). -#}
{% macro raw_csv_reader(path, field_count, extra_options='') -%}
    {%- set columns = [] -%}
    {%- for position in range(1, field_count + 1) -%}
        {%- do columns.append("'c" ~ position ~ "': 'varchar'") -%}
    {%- endfor -%}
    {{ return(
        'read_csv(' ~ sql_string_literal(path) ~ ', header = true, auto_detect = false, columns = {'
        ~ columns | join(', ') ~ "}, delim = ',', quote = '\"', escape = '\"', ignore_errors = true"
        ~ extra_options ~ ')'
    ) }}
{%- endmacro %}


{#
    The file read one physical line per row, as `line` (no delimiter or quote the file could
    contain), with its faults stored in `<rejects>_errors`, emptied first.
#}
{% macro raw_csv_lines_reader(path, rejects) -%}
    {%- do run_query('drop table if exists ' ~ rejects ~ '_errors') -%}
    {%- do run_query('drop table if exists ' ~ rejects ~ '_scans') -%}
    {{ return(
        'read_csv(' ~ sql_string_literal(path) ~ ", header = false, auto_detect = false,"
        ~ " columns = {'line': 'varchar'}, delim = chr(31), quote = '', escape = '', strict_mode = false,"
        ~ " ignore_errors = true, store_rejects = true, rejects_table = '" ~ rejects ~ "_errors',"
        ~ " rejects_scan = '" ~ rejects ~ "_scans')"
    ) }}
{%- endmacro %}


{#
    The header's field names, lower-cased and trimmed, in file order (a byte-order mark and quotes
    around a name removed). Stops on an empty file or a first line that is not UTF-8.
#}
{% macro raw_csv_header(path) -%}
    {%- set first_line = run_query('select line from ' ~ raw_csv_lines_reader(path, 'raw_header') ~ ' limit 1') -%}
    {%- set encoding_errors = run_query("select line from raw_header_errors where error_type = 'INVALID ENCODING' and line = 1") -%}
    {%- if encoding_errors.rows | length > 0 -%}
        {{ raise_not_utf8(path) }}
    {%- endif -%}
    {%- if first_line.rows | length == 0 -%}
        {{ exceptions.raise_compiler_error("raw file " ~ path ~ " has no data rows (it is empty: no header either)") }}
    {%- endif -%}
    {%- set fields = [] -%}
    {%- for field in (first_line.columns[0].values()[0] or '').replace('\ufeff', '').split(',') -%}
        {%- do fields.append(field.strip().strip('"').strip().lower()) -%}
    {%- endfor -%}
    {{ return(fields) }}
{%- endmacro %}


{#
    Stops on a header that lacks required columns. When the header holds them all with another
    delimiter, the message says which one, since a semicolon or tab export is the usual cause.
#}
{% macro raw_csv_check_columns(path, header_line_fields, required) -%}
    {%- set missing = required | reject('in', header_line_fields) | list -%}
    {%- if not missing -%}
        {{ return('') }}
    {%- endif -%}
    {%- set header_text = header_line_fields | join(',') -%}
    {%- for delimiter, name in [(';', 'a semicolon'), ('\t', 'a tab'), ('|', 'a vertical bar')] -%}
        {%- set split_fields = [] -%}
        {%- for field in header_text.split(delimiter) -%}
            {%- do split_fields.append(field.strip().strip('"').strip()) -%}
        {%- endfor -%}
        {%- if required | reject('in', split_fields) | list | length == 0 -%}
            {{ exceptions.raise_compiler_error(
                "raw file " ~ path ~ " seems to use " ~ name ~ " (" ~ (delimiter | replace('\t', '\\t')) ~ ") as its delimiter:"
                ~ " its header has the required columns only when split on it. Export the file comma-separated"
                ~ " (CSV with ',' between fields and '.' as the decimal point)"
            ) }}
        {%- endif -%}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error(
        "raw file " ~ path ~ " is missing required column(s): " ~ missing | join(', ')
        ~ " (expected: " ~ required | join(', ') ~ "; the header has: " ~ header_line_fields | join(', ') ~ ")"
    ) }}
{%- endmacro %}


{#
    Reads the file once with the reject store and writes its malformed lines to
    raw.<entity>__malformed (line_number, line_text, line_reject_reason). Returns the number of
    well-formed rows and the extra reader options the view must use: DuckDB 2.0's parallel CSV
    reader, asked for column values, stops at the first unclosed quote when told to ignore errors
    (a count alone still sees every row), so a file with any fault is read on one thread.
#}
{% macro raw_csv_scan_malformed(path, entity, field_count) -%}
    {%- set errors_table = 'raw_' ~ entity ~ '_errors' -%}
    {%- set scans_table = 'raw_' ~ entity ~ '_scans' -%}
    {%- do run_query('drop table if exists ' ~ errors_table) -%}
    {%- do run_query('drop table if exists ' ~ scans_table) -%}
    {#- every field is counted: a count of rows alone reads no field and so checks no encoding -#}
    {%- set counts = [] -%}
    {%- for position in range(1, field_count + 1) -%}
        {%- do counts.append('count(c' ~ position ~ ')') -%}
    {%- endfor -%}
    {%- set well_formed = run_query('select count(*), ' ~ counts | join(', ') ~ ' from ' ~ raw_csv_reader(
        path, field_count,
        ", store_rejects = true, rejects_table = '" ~ errors_table ~ "', rejects_scan = '" ~ scans_table ~ "'"
    )).columns[0].values()[0] -%}
    {%- if run_query("select count(*) from " ~ errors_table ~ " where error_type = 'INVALID ENCODING'").columns[0].values()[0] > 0 -%}
        {{ raise_not_utf8(path) }}
    {%- endif -%}
    {%- do run_query(raw_csv_malformed_lines_sql(errors_table, entity, field_count)) -%}
    {%- set faults = run_query('select count(*) from ' ~ errors_table).columns[0].values()[0] -%}
    {{ return({'well_formed': well_formed, 'reader_options': ', parallel = false' if faults > 0 else ''}) }}
{%- endmacro %}


{#-
    One row per malformed line. DuckDB records a line once per fault it finds on it, so each line
    keeps its first fault in this order: an unclosed quote, too many fields, too few. An unclosed
    quote takes the lines after it into the same record up to the next quote; each of those lines
    is a row of its own here, so none is lost from the count.
-#}
{% macro raw_csv_malformed_lines_sql(errors_table, entity, field_count) -%}
    create or replace table raw.{{ entity }}__malformed as
    with

    faults as (

        select
            line,
            error_type,
            error_message,
            regexp_replace(csv_line, '^[\r\n]+|[\r\n]+$', '', 'g') as record_text,
            row_number() over (
                partition by line
                order by case error_type when 'UNQUOTED VALUE' then 1 when 'TOO MANY COLUMNS' then 2 else 3 end
            ) as fault_rank

        from {{ errors_table }}

    ),

    record_lines as (

        select
            line as first_line,
            error_type,
            error_message,
            unnest(string_split(record_text, chr(10))) as line_text,
            generate_subscripts(string_split(record_text, chr(10)), 1) as line_offset

        from faults
        where fault_rank = 1

    ),

    final as (

        select
            cast(first_line + line_offset - 1 as bigint) as line_number,
            rtrim(line_text, chr(13)) as line_text,
            case
                when error_type = 'UNQUOTED VALUE' and line_offset = 1
                    then 'malformed line: a quote opened on it is never closed'
                when error_type = 'UNQUOTED VALUE'
                    then 'malformed line: inside the unclosed quote opened on line ' || first_line
                when error_type = 'TOO MANY COLUMNS'
                    then 'malformed line: more fields than the header''s {{ field_count }} (an unquoted comma in a value?)'
                when error_type = 'MISSING COLUMNS'
                    then 'malformed line: fewer fields than the header''s {{ field_count }}'
                else 'malformed line: ' || error_message
            end as line_reject_reason

        from record_lines
        -- whitespace-only lines are not rows
        where not regexp_full_match(line_text, '\s*')

    )

    select * from final
{%- endmacro %}


{#
    A byte that is not UTF-8 stops the build. The first such line is found again reading one line
    per record (no quotes), so its number is the physical line number even after quoted line breaks.
#}
{% macro raise_not_utf8(path) -%}
    {%- do run_query('select count(*) from ' ~ raw_csv_lines_reader(path, 'raw_encoding')) -%}
    {%- set first = run_query(
        "select line, regexp_replace(csv_line, '^[\r\n]+|[\r\n]+$', '', 'g') from raw_encoding_errors"
        ~ " where error_type = 'INVALID ENCODING' order by line limit 1"
    ) -%}
    {%- set where = '' -%}
    {%- if first.rows | length > 0 -%}
        {%- set where = ": line " ~ first.rows[0][0] ~ " is not valid UTF-8: " ~ first.rows[0][1] -%}
    {%- endif -%}
    {{ exceptions.raise_compiler_error(
        "raw file " ~ path ~ " is not UTF-8" ~ where ~ " (bytes that are not UTF-8 shown as ?)."
        ~ " Export it as UTF-8, or convert it, e.g. from Latin-1: iconv -f latin1 -t utf-8 <file> > <new file>"
    ) }}
{%- endmacro %}
