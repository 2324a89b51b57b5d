{{ config(tags=['quality_gate']) }}

{#-
    Only the run's own as-of date is checked: backfilled month-ends lie before the delivery's
    end by design. Transactions dated after the as-of date are left out, as the run ignores them.
-#}
{%- set a = as_of_windows() %}
{%- set lag_days = max_delivery_lag_days() %}
{%- set as_of = modules.datetime.datetime.strptime(a.as_of, '%Y-%m-%d').date() %}
{%- set earliest_current = (as_of - modules.datetime.timedelta(days=lag_days)).isoformat() %}

{#-
    Run after data_quality_report: a failing test stops only the models that read everything it
    reads, so the segment history (which reads data_quality_report) is not recorded, and the
    reject-share gate still runs and reports in the same build.
#}
-- depends_on: {{ ref('data_quality_report') }}

with

transactions as (

    select * from {{ ref('int_transactions_matched') }}

),

latest as (

    select max(transaction_date) as latest_transaction_date
    from transactions
    where transaction_date <= {{ date_literal(a.as_of) }}

),

stale as (

    select
        latest_transaction_date,
        {{ date_literal(a.as_of) }} as as_of_date,
        {{ lag_days }} as max_delivery_lag_days,
        {{ dbt.datediff('latest_transaction_date', date_literal(a.as_of), 'day') }} as days_behind  -- noqa: LT05

    from latest
    where
        latest_transaction_date is null
        or latest_transaction_date < {{ date_literal(earliest_current) }}

),

final as (

    select
        *,
        case
            when latest_transaction_date is null
                then 'transactions: no clean transaction is dated on or before the as-of date {{ a.as_of }}.'
            else {{ dbt.concat([
                "'transactions: the latest clean transaction is dated '",
                "cast(latest_transaction_date as " ~ dbt.type_string() ~ ")",
                "', '",
                "cast(days_behind as " ~ dbt.type_string() ~ ")",
                "' days before the as-of date " ~ a.as_of ~ ", more than max_delivery_lag_days "
                ~ lag_days ~ ": the delivery looks stale.'",
            ]) }}
        end as delivery_problem

    from stale

)

select
    *,
    {{ dbt.concat([
        "delivery_problem",
        "' Deliver current files, or build as of the date the files end (var as_of_date), or accept the lag with "
        ~ "--vars \"{max_delivery_lag_days: <days>}\".'",
    ]) }} as failure_message
from final
