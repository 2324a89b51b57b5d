{#
    Raw rows are counted from the entity's base model (`relation`), rejected rows per reason from
    `rejects` (by default the same relation; any relation with a `reject_reason`, null for rows
    not rejected), clean and duplicate rows from `counts` (one row: `clean_rows`,
    `duplicate_rows`), since each entity resolves duplicates and rejects in its own way.
#}
{% macro row_verdict_counts(entity, relation, counts, rejects=none) -%}
    select
        '{{ entity }}' as entity,
        'raw_rows' as measure,
        cast(null as {{ dbt.type_string() }}) as detail,
        count(*) as row_count
    from {{ relation }}
    union all
    select
        '{{ entity }}' as entity,
        'clean_rows' as measure,
        null as detail,
        clean_rows as row_count
    from {{ counts }}
    union all
    select
        '{{ entity }}' as entity,
        'rejected_rows' as measure,
        reject_reason as detail,
        count(*) as row_count
    from {{ rejects or relation }}
    where reject_reason is not null
    group by reject_reason
    union all
    select
        '{{ entity }}' as entity,
        'duplicate_rows' as measure,
        null as detail,
        duplicate_rows as row_count
    from {{ counts }}
{%- endmacro %}
