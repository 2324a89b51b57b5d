{#
    The optional products file (docs/rules/raw-input.md), typed once; stg_products and
    stg_products__rejected are filters of this table, so each row lands in exactly one of clean,
    rejected or duplicate. Without a file, raw.products has no rows and neither has this.
    The shape every base model shares is macros/base_model.sql.
#}

{{ base_model(
    source_table='products',
    raw_columns=['product_id', 'product_name', 'product_category', 'price'],
    header_columns=['product_id', 'product_name', 'product_category', 'price'],
    fields=[
        {'column': 'product_id', 'parse': 'integer', 'required': true},
        {'column': 'product_name'},
        {'column': 'product_category'},
        {'column': 'price', 'parse': 'money', 'required': true},
    ],
    checks=["when price < 0 then 'price is negative'"],
    dedup_key=['product_id'],
    dedup_order=['raw_product_name', 'raw_product_category', 'raw_price'],
) }}
