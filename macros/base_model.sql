{#
    The one shape of every `base_<entity>` model (docs/decisions.md, "Staging judges each row on its
    own text"): read the raw table, whose fields are all text; trim each field once (`field_text`);
    type it with the strict parsers of macros/parsing.sql; give each row its first reject reason;
    rank the copies of one key so the kept row is chosen by content, never by file order; and write
    the row as it arrived beside its typed values, its line number and text from the loader.

    A model states only what is its own:
    - `source_table`: the table of the `raw` source.
    - `raw_columns`: the columns kept as they arrived, as `raw_<column>`.
    - `header_columns`: the columns a repeated header line is recognised by (`reject_if_not_a_row`).
    - `fields`: one entry per field read, in the order the reject checks run:
        `column`: the raw column; `as`: the typed column's name, when it is not the column's;
        `parse`: a parser of macros/parsing.sql (`integer`, `iso_date`, `iso_timestamp`, `money`,
            `boolean`, `channel`) or an SQL expression over `<column>_text`; without it the
            trimmed text is the value;
        `required`: a missing value, or one the parser cannot read, rejects the row;
        `invalid`: `'reject'` to reject an optional value that is present but unreadable (otherwise
            it is null, and the row kept);
        `expect`: what an unreadable value "is not", for an SQL `parse`;
        `refine`: an SQL expression over the parsed value (`<as>_parsed`) or the text, for a value
            that is nulled rather than rejected when it breaks a rule (docs/rules/cleaning.md).
      A field with `parse` or `refine` is read from `<column>_text`; one without from its own name.
    - `checks`: further `when ... then '<reason>'` lines, after the fields' own.
    - `dedup_key`, `dedup_order`: the copies of one key among the usable rows (and, apart, among the
      rejected ones) are numbered in this order; all but the first are duplicates. Without a key,
      no copies are ranked and there is no `is_duplicate`.
    - `extra_ctes`: further CTEs after the ranking (comma-separated), `final_from` the one the final
      select reads; `extra_columns` follow the typed values, `flags` follow `is_duplicate`.
    - `columns`: the final select's columns, when the model writes another shape altogether.
    - `source_filter`: a `where` condition on the raw table; `materialized_on`: the engines on which
      the typed and judged rows are kept once rather than inlined (`materialized_cte`).
#}

{% macro base_model(
    source_table,
    raw_columns,
    header_columns,
    fields,
    checks=[],
    dedup_key=none,
    dedup_order=none,
    extra_ctes=none,
    final_from='ranked',
    extra_columns=[],
    flags=[],
    columns=none,
    source_filter=none,
    materialized_on=[]
) -%}

{%- set expectations = {
    'integer': 'an integer',
    'iso_date': 'an ISO date',
    'iso_timestamp': 'an ISO timestamp',
    'money': 'a decimal number',
    'channel': 'Email/SMS/Phone/Push',
} -%}

{%- set read = [] -%}
{%- for field in fields -%}
    {%- set name = field.get('as', field.column) -%}
    {%- set typed = field.column ~ '_text' if field.parse or field.refine else name -%}
    {%- do read.append({
        'column': field.column,
        'name': name,
        'text': typed,
        'parse': field.parse,
        'parsed': name ~ '_parsed' if field.refine else name,
        'refine': field.refine,
        'required': field.required,
        'invalid': field.invalid,
        'expect': field.get('expect', expectations.get(field.parse)),
    }) -%}
{%- endfor -%}

with

source as (

    select * from {{ source('raw', source_table) }}
    {%- if source_filter %}
    where {{ source_filter }}
    {%- endif %}

),

-- Each field trimmed once (blank as null); the parsers and reject checks read this text.
field_texts as (

    select
        -- the row as it arrived
        {%- for column in raw_columns %}
        {{ column }} as raw_{{ column }},
        {%- endfor %}
        line_number,
        line_text,
        line_reject_reason,

        {%- for field in read %}
        {{ field_text(field.column) }} as {{ field.text }}{{ ',' if not loop.last }}
        {%- endfor %}

    from source

),

typed as {{ materialized_cte(materialized_on) }} (

    select
        *
        {%- for field in read if field.parse %},
        {{ parse_field(field.parse, field.text) }} as {{ field.parsed }}
        {%- endfor %}

    from field_texts

),

validated as {{ materialized_cte(materialized_on) }} (

    select
        *,
        case
            {{ reject_if_not_a_row(header_columns) }}
            {%- for field in read %}
            {%- if field.required %}
            when {{ field.text }} is null then '{{ field.column }} is missing'
            {%- if field.parse and field.expect %}
            when {{ field.parsed }} is null then '{{ field.column }} is not {{ field.expect }}'
            {%- endif %}
            {%- elif field.invalid == 'reject' %}
            when {{ field.text }} is not null and {{ field.parsed }} is null
                then '{{ field.column }} is not {{ field.expect }}'
            {%- endif %}
            {%- endfor %}
            {%- for check in checks %}
            {{ check }}
            {%- endfor %}
        end as reject_reason
        {%- for field in read if field.refine %},
        {{ field.refine }} as {{ field.name }}
        {%- endfor %}

    from typed

),

{%- if dedup_key %}

ranked as (

    select
        *,
        row_number() over (
            partition by reject_reason is null, {{ dedup_key | join(', ') }}
            order by {{ dedup_order | join(', ') }}
        ) as copy_number

    from validated

),
{%- endif %}

{%- if extra_ctes %}

{{ extra_ctes }},
{%- endif %}

final as (

    select
        {%- if columns %}
        {%- for column in columns %}
        {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
        {%- else %}
        {%- for column in raw_columns %}
        raw_{{ column }},
        {%- endfor %}
        {%- for field in read %}
        {{ field.name }},
        {%- endfor %}
        {%- for column in extra_columns %}
        {{ column }},
        {%- endfor %}
        line_number,
        line_text,
        reject_reason,
        reject_reason is null and copy_number > 1 as is_duplicate
        {%- for flag in flags %},
        {{ flag }}
        {%- endfor %}
        {%- endif %}

    from {{ final_from if dedup_key else 'validated' }}

)

select * from final
{%- endmacro %}


{# A field's typed value: one of the named parsers of macros/parsing.sql, or the model's own SQL. #}
{% macro parse_field(parser, text) -%}
    {%- if parser == 'integer' -%}{{ parse_integer(text) }}
    {%- elif parser == 'iso_date' -%}{{ parse_iso_date(text) }}
    {%- elif parser == 'iso_timestamp' -%}{{ parse_iso_timestamp(text) }}
    {%- elif parser == 'money' -%}{{ parse_money(text) }}
    {%- elif parser == 'boolean' -%}{{ parse_boolean(text) }}
    {%- elif parser == 'channel' -%}{{ parse_channel(text) }}
    {%- else -%}{{ parser }}
    {%- endif -%}
{%- endmacro %}
