{{ config(tags=['quality_gate']) }}

{#-
    Transactions match the category map on their trimmed, lower-cased category
    (int_transactions_categorized), so two seed rows differing only in case or surrounding
    spaces would both match the same transactions and count their spend twice.
-#}

with

category_groups as (

    select * from {{ ref('category_groups') }}

),

clashes as (

    select
        lower(trim(category)) as category_key,
        count(*) as seed_rows,
        min(category) as first_spelling,
        max(category) as last_spelling

    from category_groups
    where category is not null
    group by lower(trim(category))
    having count(*) > 1

),

final as (

    select
        *,
        {{ dbt.concat([
            "'seeds/category_groups.csv: '",
            "cast(seed_rows as " ~ dbt.type_string() ~ ")",
            "' rows ('''",
            "first_spelling",
            "''' and '''",
            "last_spelling",
            "''') are the same category once trimmed and '",
            "'compared case-insensitively, so their transactions would be counted more than once; keep one row.'",
        ]) }} as failure_message

    from clashes

)

select * from final
