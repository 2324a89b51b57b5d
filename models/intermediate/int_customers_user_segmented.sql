{#
    One row per as-of date of the run, customer and active user-defined segment they are a member
    of: each segment's compiled predicate (int_user_segments_compiled, fetched when the model runs)
    evaluated on int_customers_featured. A static segment's predicate lists its ids, so an id that
    is not a customer of the date matches no row. int_segment_memberships_listed adds these rows to
    the built-in types'. DuckDB only (docs/decisions.md).
#}

{{ config(enabled=builds_duckdb_only_models()) }}

{%- set compiled = ref('int_user_segments_compiled') %}
{%- set segments = [] %}
{%- if execute and adapter.get_relation(compiled.database, compiled.schema, compiled.identifier) is not none %}
    {%- set segments = run_query(
        "select segment_id, segment_type, source, predicate from " ~ compiled
        ~ " where status = 'active' order by segment_id"
    ).rows %}
{%- endif %}
{#- the products bought per date are worked out only when a predicate reads them -#}
{%- set reads = namespace(products=false) %}
{%- for segment in segments if 'purchased_products' in segment[3] %}
    {%- set reads.products = true %}
{%- endfor %}

with

customers_featured as (

    select * from {{ ref('int_customers_featured') }}

),

products_bought as (

    select * from {{ ref('int_customers_products_bought') }}

),

featured_dates as (

    select distinct as_of_date from customers_featured

),

-- worked out only when a predicate reads products; joined always, so the model's inputs do not depend on the file
products_as_of as (

    {{ purchased_products_by_date('products_bought', 'featured_dates', wanted=reads.products) }}

),

featured as (

    select
        customers_featured.*,
        coalesce(products_as_of.purchased_products, {{ no_products() }}) as purchased_products

    from customers_featured
    left join products_as_of
        on
        customers_featured.as_of_date = products_as_of.as_of_date
        and customers_featured.customer_id = products_as_of.customer_id

),

members as (

    {%- for segment in segments %}

    select
        as_of_date,
        customer_id,
        {{ sql_string_literal(segment[0]) }} as segment_id,
        {{ sql_string_literal(segment[1]) }} as segment_type,
        {{ sql_string_literal(segment[2]) }} as source -- noqa: RF04

    from featured
    where {{ segment[3] }}
    {%- if not loop.last %}

    union all
    {%- endif %}
    {%- endfor %}
    {%- if not segments %}

    select
        as_of_date,
        customer_id,
        cast(null as {{ dbt.type_string() }}) as segment_id,
        cast(null as {{ dbt.type_string() }}) as segment_type,
        cast(null as {{ dbt.type_string() }}) as source -- noqa: RF04

    from featured
    where false
    {%- endif %}

),

final as (

    select
        as_of_date,
        customer_id,
        cast(segment_id as {{ dbt.type_string() }}) as segment_id,
        cast(segment_type as {{ dbt.type_string() }}) as segment_type,
        cast(source as {{ dbt.type_string() }}) as source -- noqa: RF04

    from members

)

select * from final
