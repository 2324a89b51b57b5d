{#
    Nothing is lost silently: for each entity, the raw file's rows equal the clean rows plus
    the rejected rows plus the removed duplicates. The raw side is counted from the source
    itself, the other three from the models analysts read. A transaction is clean once its
    customer is known (int_transactions_matched); the rejected ones are staging's rejects and
    the transactions of unknown customers (int_transactions_unmatched).
#}

with

counts as (

    select
        'customers' as entity,
        (select count(*) from {{ source('raw', 'customers') }}) as raw_rows,
        (select count(*) from {{ ref('stg_customers') }}) as clean_rows,
        (select count(*) from {{ ref('stg_customers__rejected') }}) as rejected_rows,
        (select row_count from {{ ref('data_quality_report') }}
            where entity = 'customers' and measure = 'duplicate_rows') as duplicate_rows

    union all

    select
        'transactions',
        (select count(*) from {{ source('raw', 'transactions') }}),
        (select count(*) from {{ ref('int_transactions_matched') }}),
        (select count(*) from {{ ref('stg_transactions__rejected') }})
        + (select count(*) from {{ ref('int_transactions_unmatched') }}),
        (select row_count from {{ ref('data_quality_report') }}
            where entity = 'transactions' and measure = 'duplicate_rows')

)

select *
from counts
where raw_rows <> clean_rows + rejected_rows + duplicate_rows
