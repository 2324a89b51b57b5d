{#-
    Every rejected raw row in one table readers can open in the published file, beside the counts
    of data_quality_report (int_raw_rows_rejected). Published without what may be personal: a
    customer row keeps its raw customer_id, its line number when the line was malformed, and the
    reason, since its line's text carries names, email, phone and address (they stay in the working
    file, stg_customers__rejected); a suppressions row keeps its raw customer_id and line number
    only (its line may carry an email). A transaction row keeps its raw values and a malformed
    line's number and text, which hold nothing personal; a customer_preferences, campaign_deliveries
    or behavior_events row its raw customer_id and malformed line (no contact details).
-#}

with

rejected as (

    select * from {{ ref('int_raw_rows_rejected') }}

),

final as (

    select
        entity,
        reject_reason,
        customer_id,
        transaction_id,
        transaction_date,
        amount,
        merchant_category,
        line_number,
        case when entity not in ('customers', 'suppressions') then line_text end as line_text

    from rejected

)

select * from final
