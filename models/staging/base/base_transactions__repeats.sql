{#
    One row per transaction_id that more than one usable row carries: the copy kept, and how many
    copies are removed. The kept copy is chosen by content, not file order, so a rebuild from the
    same file always keeps the same row: the earliest date, then the smallest amount, then the
    smallest customer_id, then the category (empty first). Copies equal in all of these are the
    same transaction, and any of them is the kept one.

    Built from the written base table rather than inside it: grouping one column of a table
    costs a second or so at 13.5M rows and holds only the ids, and only the few thousand repeated
    rows are ranked. A full rebuild every run, so a new row repeating a settled one is resolved
    with the rest.
#}

with

usable_rows as (

    select transaction_id, customer_id, transaction_date, amount, merchant_category
    from {{ ref('base_transactions') }}
    where reject_reason is null

),

repeated_ids as (

    select
        transaction_id,
        count(*) - 1 as removed_copies

    from usable_rows
    group by transaction_id
    having count(*) > 1

),

ranked_copies as (

    select
        usable_rows.*,
        repeated_ids.removed_copies,
        row_number() over (
            partition by usable_rows.transaction_id
            order by
                usable_rows.transaction_date,
                usable_rows.amount,
                usable_rows.customer_id,
                usable_rows.merchant_category nulls first
        ) as copy_number

    from usable_rows
    inner join repeated_ids
        on usable_rows.transaction_id = repeated_ids.transaction_id

),

final as (

    select
        transaction_id,
        customer_id,
        merchant_category,
        amount,
        transaction_date,
        removed_copies

    from ranked_copies
    where copy_number = 1

)

select * from final
