{#
    The catalog's definitions of the built-in segments, one row each, from macros/segment_types.sql.
    The `segments` mart adds the member counts.
#}

with

builtin as (

    {%- set rows = [] %}
    {%- for segment_type in builtin_segment_types() %}
    {%- for segment in segment_type.segments %}
    {%- do rows.append((segment_type, segment)) %}
    {%- endfor %}
    {%- endfor %}
    {%- for segment_type, segment in rows %}

    select
        {{ text_literal(segment_type.type ~ '/' ~ segment.slug) }} as segment_id,
        {{ text_literal(segment.name) }} as segment_name,
        {{ text_literal(segment_type.type) }} as segment_type,
        {{ text_literal(segment.description) }} as description,
        {{ text_literal(tojson(segment.criteria)) }} as criteria,
        'active' as status
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

final as (

    select
        cast(segment_id as {{ dbt.type_string() }}) as segment_id,
        cast(segment_name as {{ dbt.type_string() }}) as segment_name,
        cast(segment_type as {{ dbt.type_string() }}) as segment_type,
        cast(description as {{ dbt.type_string() }}) as description,
        cast(criteria as {{ dbt.type_string() }}) as criteria,
        cast(status as {{ dbt.type_string() }}) as status

    from builtin

)

select * from final
