with

base as (

    select * from {{ ref('base_suppressions') }}

),

final as (

    select
        reject_reason,
        raw_customer_id as customer_id,
        raw_email as email,
        raw_reason as reason,
        raw_added_at as added_at,
        line_number,
        line_text

    from base
    where reject_reason is not null

)

select * from final
