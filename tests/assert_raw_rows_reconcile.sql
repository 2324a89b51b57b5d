{#
    Nothing is lost silently: for each entity, the raw file's rows equal the clean rows plus
    the rejected rows plus the removed duplicates. The raw side is counted from the source
    itself, the other three from the models analysts read. A row of a file that names a customer
    is clean once its customer is known (int_<entity>_matched); the rejected ones are staging's
    rejects on the row's own text and the rows of unknown customers (int_<entity>_unmatched). The
    optional products, consent, campaign and behaviour files (docs/rules/raw-input.md) reconcile the same way;
    absent, they count zero everywhere.

    Staging of transactions and of behaviour events is incremental, so a delivery that changes, adds or removes rows
    dated on or before the last build's as-of date makes the file's count differ from what was
    staged, and this test fails: `--full-refresh` stages the whole file again (description in
    assert_raw_rows_reconcile.yml; segmentation/run_month.py prints the hint).
#}

with

duplicates as (

    select
        entity,
        row_count as duplicate_rows
    from {{ ref('data_quality_report') }}
    where measure = 'duplicate_rows'

),

counts as (

    select
        'customers' as entity,
        (select count(*) from {{ source('raw', 'customers') }}) as raw_rows,
        (select count(*) from {{ ref('stg_customers') }}) as clean_rows,
        (select count(*) from {{ ref('stg_customers__rejected') }}) as rejected_rows

    union all

    select
        'transactions' as entity,
        (select count(*) from {{ source('raw', 'transactions') }}) as raw_rows,
        (select count(*) from {{ ref('int_transactions_matched') }}) as clean_rows,
        (select count(*) from {{ ref('stg_transactions__rejected') }})
        + (select count(*) from {{ ref('int_transactions_unmatched') }}) as rejected_rows

    union all

    select
        'products' as entity,
        (select count(*) from {{ source('raw', 'products') }}) as raw_rows,
        (select count(*) from {{ ref('int_products_listed') }}) as clean_rows,
        (select count(*) from {{ ref('stg_products__rejected') }}) as rejected_rows
    {#- the preferences' clean rows are every version of the history, not only the latest -#}
    {%- for entity in ['customer_preferences', 'suppressions', 'campaign_deliveries', 'behavior_events'] %}

    union all

    select
        '{{ entity }}' as entity,
        (select count(*) from {{ source('raw', entity) }}) as raw_rows,
        (select count(*) from {{ ref('int_' ~ entity ~ '_matched') }}) as clean_rows,
        (select count(*) from {{ ref('stg_' ~ entity ~ '__rejected') }})
        + (select count(*) from {{ ref('int_' ~ entity ~ '_unmatched') }}) as rejected_rows
    {%- endfor %}

),

final as (

    select
        counts.entity,
        counts.raw_rows,
        counts.clean_rows,
        counts.rejected_rows,
        duplicates.duplicate_rows

    from counts
    left join duplicates
        on counts.entity = duplicates.entity

)

select * from final
where raw_rows <> clean_rows + rejected_rows + duplicate_rows
