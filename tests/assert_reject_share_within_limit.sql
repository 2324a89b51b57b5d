{{ config(tags=['quality_gate']) }}

{%- set limit = max_reject_share() %}

with

report as (

    select * from {{ ref('data_quality_report') }}

),

raw_counts as (

    select
        entity,
        row_count as raw_rows
    from report
    where measure = 'raw_rows'

),

reasons as (

    select
        entity,
        row_count,
        {{ dbt.concat(["detail", "' '", "cast(row_count as " ~ dbt.type_string() ~ ")"]) }} as reason_text,
        row_number() over (partition by entity order by row_count desc, detail asc) as reason_rank
    from report
    where measure = 'rejected_rows'

),

-- The three most frequent reasons, each with its count.
rejected as (

    select
        entity,
        sum(row_count) as rejected_rows,
        max(case when reason_rank = 1 then reason_text end) as reason_1,
        max(case when reason_rank = 2 then reason_text end) as reason_2,
        max(case when reason_rank = 3 then reason_text end) as reason_3
    from reasons
    group by entity

),

-- Exact decimal arithmetic decides: 1 rejected row of 20 is exactly 0.05 and passes.
shares as (

    select
        raw_counts.entity,
        raw_counts.raw_rows,
        rejected.rejected_rows,
        round(rejected.rejected_rows * 100.0 / raw_counts.raw_rows, 2) as rejected_pct,
        {{ limit }} as max_reject_share,
        {{ dbt.concat([
            "rejected.reason_1",
            "case when rejected.reason_2 is null then '' else " ~ dbt.concat(["'; '", "rejected.reason_2"]) ~ " end",
            "case when rejected.reason_3 is null then '' else " ~ dbt.concat(["'; '", "rejected.reason_3"]) ~ " end",
        ]) }}
            as top_reasons

    from raw_counts
    inner join rejected
        on raw_counts.entity = rejected.entity
    where
        raw_counts.raw_rows > 0
        and rejected.rejected_rows > raw_counts.raw_rows * {{ limit }}

),

final as (

    select
        *,
        {{ dbt.concat([
            "entity",
            "': '",
            "cast(rejected_rows as " ~ dbt.type_string() ~ ")",
            "' of '",
            "cast(raw_rows as " ~ dbt.type_string() ~ ")",
            "' raw rows rejected ('",
            "cast(rejected_pct as " ~ dbt.type_string() ~ ")",
            "' %), more than max_reject_share " ~ limit ~ "; top reasons: '",
            "top_reasons",
            "'. Each rejected row and its reason, in the working file: select * from rejected_rows '",
            "'where entity = '''",
            "entity",
            "''''",
            "'. Fix the delivery, or build it anyway with --vars \"{max_reject_share: <share>}\".'",
        ]) }} as failure_message

    from shares

)

select * from final
