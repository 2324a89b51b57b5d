{#
    The four counts every raw entity reports: raw, clean, rejected per reason, and duplicate
    rows. Raw and rejected rows are counted from the entity's base model (`relation`, with its
    `reject_reason`); clean and duplicate rows from `counts`, a one-row relation with the columns
    `clean_rows` and `duplicate_rows`, since each entity resolves duplicates in its own way.
    Emits `entity, measure, detail, row_count` rows joined by union all.
#}
{% macro row_verdict_counts(entity, relation, counts) -%}
    select '{{ entity }}' as entity, 'raw_rows' as measure, cast(null as {{ dbt.type_string() }}) as detail, count(*) as row_count
    from {{ relation }}
    union all
    select '{{ entity }}', 'clean_rows', null, clean_rows
    from {{ counts }}
    union all
    select '{{ entity }}', 'rejected_rows', reject_reason, count(*)
    from {{ relation }} where reject_reason is not null group by reject_reason
    union all
    select '{{ entity }}', 'duplicate_rows', null, duplicate_rows
    from {{ counts }}
{%- endmacro %}
