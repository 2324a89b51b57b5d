{#
    The four counts every raw entity reports, read from its base model's verdict columns
    (`reject_reason`, `is_duplicate`): raw, clean, rejected per reason, and duplicate rows.
    Emits `entity, measure, detail, row_count` rows joined by union all.
#}
{% macro row_verdict_counts(entity, relation) -%}
    select '{{ entity }}' as entity, 'raw_rows' as measure, cast(null as {{ dbt.type_string() }}) as detail, count(*) as row_count
    from {{ relation }}
    union all
    select '{{ entity }}', 'clean_rows', null, count(*)
    from {{ relation }} where reject_reason is null and not is_duplicate
    union all
    select '{{ entity }}', 'rejected_rows', reject_reason, count(*)
    from {{ relation }} where reject_reason is not null group by reject_reason
    union all
    select '{{ entity }}', 'duplicate_rows', null, count(*)
    from {{ relation }} where is_duplicate
{%- endmacro %}
