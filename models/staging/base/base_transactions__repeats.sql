{#
    The kept copy is the first in macros/transaction_copies.sql's order.

    Built from the written base table rather than inside it: grouping one column of a table holds
    only the ids, and only the few repeated rows are ranked.

    Incremental, as base_transactions is: only an id that this run staged a row for can have
    gained or lost a copy (a restaged row keeps its id), so a run deletes those ids' rows (the
    pre-hook) and resolves them again over all their copies, old and new, rather than grouping
    every id of the history again.
#}

{{ config(
    materialized=incremental_staging_materialization(),
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ delete_repeats_of_restaged_ids() }}",
) }}

-- The base table is read twice, by name, rather than through one shared CTE: DuckDB keeps a CTE
-- read twice in memory, which here would mean every usable row, to group one column of it.
with

-- Rejected rows are counted out in the aggregate, not filtered out before it: with the filter,
-- DuckDB's estimates lead it to hash every usable id of the history and probe that with the run's
-- ids.
repeated_ids as (

    select
        transaction_id,
        count(*) filter (where reject_reason is null) - 1 as removed_copies

    from {{ ref('base_transactions') }}
    {% if is_incremental() %}
    where transaction_id in ({{ ids_staged_by_this_run() }})
    {% endif %}
    group by transaction_id
    having count(*) filter (where reject_reason is null) > 1

),

ranked_copies as (

    select
        base.transaction_id,
        base.customer_id,
        base.merchant_category,
        base.amount,
        base.transaction_date,
        base.product_id,
        repeated_ids.removed_copies,
        row_number() over (
            partition by base.transaction_id
            order by {{ transaction_copy_order('base') }}
        ) as copy_number

    from {{ ref('base_transactions') }} as base
    inner join repeated_ids
        on base.transaction_id = repeated_ids.transaction_id
    where base.reject_reason is null

),

final as (

    select
        transaction_id,
        customer_id,
        merchant_category,
        amount,
        transaction_date,
        product_id,
        removed_copies

    from ranked_copies
    where copy_number = 1

)

select * from final
