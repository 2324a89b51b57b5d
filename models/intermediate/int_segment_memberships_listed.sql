{#
    One row per membership: as-of date, customer and active segment, of every type. The built-in
    types come from int_customers_cataloged's columns; user-defined segments join here with a
    `union all` of rows of the same five columns (source `automatic`, `manual` or `import`).
    Everything downstream (the membership store, memberships, members, counts) reads this model.
#}

with

cataloged as (

    select * from {{ ref('int_customers_cataloged') }}

),

definitions as (

    select * from {{ ref('int_segments_combined') }}

),

builtin as (

    {%- for segment_type in builtin_segment_types() %}

    select
        as_of_date,
        customer_id,
        {{ segment_type.column }} as segment_id,
        '{{ segment_type.type }}' as segment_type,
        'automatic' as source -- noqa: RF04

    from cataloged
    where {{ segment_type.column }} is not null
    {%- if not loop.last %}

    union all
    {%- endif %}
    {%- endfor %}

),

{%- if builds_duckdb_only_models() %}

user_defined as (

    select * from {{ ref('int_customers_user_segmented') }}

),
{%- endif %}

listed as (

    select * from builtin
    {%- if builds_duckdb_only_models() %}

    union all

    select
        as_of_date,
        customer_id,
        segment_id,
        segment_type,
        source -- noqa: RF04

    from user_defined
    {%- endif %}

),

-- only active segments have members
final as (

    select
        listed.as_of_date,
        listed.customer_id,
        cast(listed.segment_id as {{ dbt.type_string() }}) as segment_id,
        cast(listed.segment_type as {{ dbt.type_string() }}) as segment_type,
        cast(listed.source as {{ dbt.type_string() }}) as source -- noqa: RF04

    from listed
    inner join definitions
        on listed.segment_id = definitions.segment_id
    where definitions.status = 'active'

)

select * from final
