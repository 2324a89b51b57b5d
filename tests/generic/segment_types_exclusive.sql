{#-
    docs/rules/catalog.md: every customer of a recorded date is in exactly one segment of each exclusive
    built-in type, and in at most one age band and at most one gender. Returns each (date,
    customer, type or demographic family) that breaks it, with how many segments it holds.
    `customers` (a model with as_of_date and customer_id) lists the customers of each date, so a
    customer missing from every segment is caught too; only the dates the tested model has are checked.
-#}
{% test segment_types_exclusive(model, customers) %}

{%- set exclusive_types = builtin_segment_types() | selectattr('exclusive') | map(attribute='type') | list %}

with

memberships as (

    select
        as_of_date,
        customer_id,
        case
            when segment_id like 'demographic/age%' then 'demographic/age'
            when segment_id like 'demographic/gender%' then 'demographic/gender'
            else segment_type
        end as family

    from {{ model }}
    where segment_type in ('demographic', '{{ exclusive_types | join("', '") }}')

),

customers as (

    select
        customers.as_of_date,
        customers.customer_id

    from {{ customers }} as customers
    where customers.as_of_date in (select memberships.as_of_date from memberships)

),

families as (
    {%- for family in exclusive_types + ['demographic/age', 'demographic/gender'] %}
    select '{{ family }}' as family
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

counted as (

    select
        customers.as_of_date,
        customers.customer_id,
        families.family,
        count(memberships.family) as segments

    from customers
    cross join families
    left join memberships
        on customers.as_of_date = memberships.as_of_date
        and customers.customer_id = memberships.customer_id
        and families.family = memberships.family
    group by customers.as_of_date, customers.customer_id, families.family

)

select *
from counted
where segments > 1
    or (segments = 0 and family not like 'demographic/%')

{% endtest %}
