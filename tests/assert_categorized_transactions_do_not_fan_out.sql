{{ config(tags=['quality_gate']) }}

{#-
    Each clean transaction is categorised once: int_transactions_categorized has exactly as many
    rows as there are clean transactions (counted in data_quality_report), so a category map key
    matching twice cannot multiply spend. Counting the rows of the join replaces a unique test
    on its transaction_id, which would sort every id; the ids are unique before the join
    (int_transactions_matched's own test).
-#}

with

categorized as (

    select count(*) as categorized_rows
    from {{ ref('int_transactions_categorized') }}

),

report as (

    select row_count as clean_rows
    from {{ ref('data_quality_report') }}
    where entity = 'transactions' and measure = 'clean_rows'

),

final as (

    select
        categorized.categorized_rows,
        report.clean_rows,
        {{ dbt.concat([
            "'int_transactions_categorized has '",
            "cast(categorized.categorized_rows as " ~ dbt.type_string() ~ ")",
            "' rows for '",
            "cast(report.clean_rows as " ~ dbt.type_string() ~ ")",
            "' clean transactions: a transaction matched more than one row of the category map '",
            "'(seeds/category_groups.csv); keep one row per category.'",
        ]) }} as failure_message

    from categorized
    cross join report
    where categorized.categorized_rows <> report.clean_rows

)

select * from final
