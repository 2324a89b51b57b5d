{#
    The optional products file (docs/rules/raw-input.md), typed once; stg_products and
    stg_products__rejected are filters of this table, so each row lands in exactly one of clean,
    rejected or duplicate. Without a file, raw.products has no rows and neither has this.
#}

with

source as (

    select * from {{ source('raw', 'products') }}

),

field_texts as (

    select
        -- the row as it arrived
        product_id as raw_product_id,
        product_name as raw_product_name,
        product_category as raw_product_category,
        price as raw_price,
        line_number,
        line_text,
        line_reject_reason,

        {{ field_text('product_id') }} as product_id_text,
        {{ field_text('product_name') }} as product_name,
        {{ field_text('product_category') }} as product_category,
        {{ field_text('price') }} as price_text

    from source

),

typed as (

    select
        *,
        {{ parse_integer('product_id_text') }} as product_id,
        {{ parse_money('price_text') }} as price

    from field_texts

),

validated as (

    select
        *,
        case
            {{ reject_if_not_a_row(['product_id', 'product_name', 'product_category', 'price']) }}
            {{ reject_if_missing_or_unparsed('product_id', 'an integer') }}
            {{ reject_if_missing_or_unparsed('price', 'a decimal number') }}
            when price < 0 then 'price is negative'
        end as reject_reason

    from typed

),

ranked as (

    select
        *,
        -- a repeated product_id keeps one row chosen by content, not file order
        row_number() over (
            partition by reject_reason is null, product_id
            order by raw_product_name, raw_product_category, raw_price
        ) as copy_number

    from validated

),

final as (

    select
        raw_product_id,
        raw_product_name,
        raw_product_category,
        raw_price,
        product_id,
        product_name,
        product_category,
        price,
        line_number,
        line_text,
        reject_reason,
        reject_reason is null and copy_number > 1 as is_duplicate

    from ranked

)

select * from final
