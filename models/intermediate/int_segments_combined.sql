{#
    Every segment's definition, one row each: the built-in types (int_segments_defined) and, on
    DuckDB, the user-defined segments of segments.yml (int_user_segments_compiled; a dbt Python
    model, which the other engines do not run here: docs/decisions.md). The catalog and the
    memberships read this.
#}

with

builtin as (

    select * from {{ ref('int_segments_defined') }}

),

{%- if builds_duckdb_only_models() %}

user_defined as (

    select * from {{ ref('int_user_segments_compiled') }}

),
{%- endif %}

combined as (

    select
        segment_id,
        segment_name,
        segment_type,
        description,
        criteria,
        status

    from builtin
    {%- if builds_duckdb_only_models() %}

    union all

    select
        segment_id,
        segment_name,
        segment_type,
        description,
        criteria,
        status

    from user_defined
    {%- endif %}

),

final as (

    select
        cast(segment_id as {{ dbt.type_string() }}) as segment_id,
        cast(segment_name as {{ dbt.type_string() }}) as segment_name,
        cast(segment_type as {{ dbt.type_string() }}) as segment_type,
        cast(description as {{ dbt.type_string() }}) as description,
        cast(criteria as {{ dbt.type_string() }}) as criteria,
        cast(status as {{ dbt.type_string() }}) as status

    from combined

)

select * from final
