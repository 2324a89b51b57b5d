{#-
    The vertical integrity of a retention matrix: each cohort has exactly one row per month from its
    signup month (offset 0) to the month of the run's as-of date A, no gap, no extra, and every monthly
    cohort of `cohorts` has its rows. Returns the cohorts that do not.
-#}
{% test cohort_months_complete(model) %}

with

as_of as (

    select max({{ month_index('as_of_date') }}) as as_of_month_index from {{ ref('int_as_of_dates_windowed') }}

),

expected as (

    select
        cohorts.cohort_id,
        as_of.as_of_month_index - {{ month_index('cohorts.acquisition_start_date') }} + 1 as expected_months

    from {{ ref('cohorts') }} as cohorts
    cross join as_of
    where cohorts.cohort_period = 'month'

),

actual as (

    select
        cohort_id,
        count(*) as months,
        count(distinct months_since_signup) as distinct_offsets,
        min(months_since_signup) as first_offset,
        max(months_since_signup) as last_offset

    from {{ model }}
    group by cohort_id

)

select
    coalesce(expected.cohort_id, actual.cohort_id) as cohort_id,
    expected.expected_months,
    actual.months,
    actual.first_offset,
    actual.last_offset

from expected
full outer join actual
    on expected.cohort_id = actual.cohort_id
where
    expected.cohort_id is null
    or actual.cohort_id is null
    or actual.months <> expected.expected_months
    or actual.distinct_offsets <> actual.months
    or actual.first_offset <> 0
    or actual.last_offset <> expected.expected_months - 1

{% endtest %}
