{#
    The holdout check of the lifetime-value models (docs/lifetime-value.md, "Validation"): for every as-of
    date A of the run, the calibration period ends `clv_holdout_days` (var) before A, and each customer with a
    purchase day on or before that end gets the models' inputs as of it (from the same purchase days,
    int_purchase_days_aggregated, and the same running totals, macros/purchase_days.sql, as
    int_customers_summarized's as of A) and the purchase days it made in the holdout, after the calibration end
    up to A.

    A date whose calibration period holds no purchase day (less than clv_holdout_days of history before A)
    has no rows. The holdout's purchase days are A's purchase days less the calibration end's: every customer
    here has a purchase by A, so int_customers_summarized has its row.
#}

{%- set holdout_days = var('clv_holdout_days') -%}
{%- if holdout_days is not number or holdout_days < 1 or holdout_days != holdout_days | int -%}
    {%- set message = "var clv_holdout_days must be a whole number of days, 1 or more, got '" ~ holdout_days ~ "'" %}
    {{ exceptions.raise_compiler_error(message) }}
{%- endif %}
{%- set holdout = modules.datetime.timedelta(days=holdout_days | int) %}

with

purchase_days as (

    select * from {{ ref('int_purchase_days_aggregated') }}

),

summarized_as_of as (

    select * from {{ ref('int_customers_summarized') }}

),

calibration_dates as (

    {%- for as_of in as_of_dates() %}
    {%- set end = modules.datetime.datetime.strptime(as_of, '%Y-%m-%d') - holdout %}

    select
        {{ date_literal(as_of) }} as as_of_date,
        {{ date_literal(end.strftime('%Y-%m-%d')) }} as calibration_end_date
    {% if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

calibration_ends as (

    select
        calibration_end_date,
        lag(calibration_end_date) over (order by calibration_end_date) as previous_calibration_end_date

    from calibration_dates

),

{{ purchase_day_summaries('calibration_ends', 'calibration_end_date', 'previous_calibration_end_date') }},

final as (

    select
        summarized.customer_id,
        calibration_dates.as_of_date,
        summarized.calibration_end_date,
        cast(summarized.frequency as integer) as frequency,
        {{ days_between('summarized.first_purchase_date', 'summarized.last_purchase_date') }} as recency,
        {{ days_between('summarized.first_purchase_date', 'summarized.calibration_end_date') }} as t,
        -- the mean value of the repeat purchase days, to the cent; none without a repeat purchase
        case
            when summarized.frequency > 0
                then {{ rounded_ratio('summarized.repeat_purchase_amount', 'summarized.frequency') }}
        end as monetary_value,
        cast(summarized_as_of.frequency - summarized.frequency as integer) as holdout_purchase_days

    from summarized
    inner join calibration_dates
        on summarized.calibration_end_date = calibration_dates.calibration_end_date
    inner join summarized_as_of
        on
        summarized.customer_id = summarized_as_of.customer_id
        and calibration_dates.as_of_date = summarized_as_of.as_of_date

)

select * from final
