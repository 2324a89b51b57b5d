"""Generate the raw customers/transactions files that the dbt segmentation project reads.

Why synthetic data: the warehouse's rules and models need customers who behave like a
bank's: they sign up in every month (and years before the history), pay from a few times
a year to nearly every day with the seasons, decline, stop and close their accounts. So
every customer gets a hidden state (profiles.py: a profile, acquisition.py: a signup,
attrition.py: a decline and a stop from the profile's hazard) and every file follows from
it (transactions.py through the rhythm of timeline.py; consent.py, events.py). The segment
labels are never written; they must be rediscovered by the dbt models. What the hidden
state says is written beside the raw files as the planted truth (truth.py, under truth/),
which no model reads; truth.py also compares a built warehouse with it.

Why dirty rows: the staging models have to prove they reject or repair bad input,
so a small, counted share of broken rows is injected on purpose (dirt.py; ``--clean``
turns that off). Every kind is counted in ``generation_summary.json`` so tests can
check that the models dropped exactly what was injected.

Output contract (read by dbt, keep it stable; writing.py):
    customers.csv     customer_id,first_name,last_name,email,phone,date_of_birth,gender,
                      city,state,country,postal_code,signup_date,account_status
    transactions.csv  transaction_id,customer_id,transaction_date,amount,merchant_category
Comma-separated with a header, ISO dates, amounts with exactly two decimals, empty
field = null. Parquet output has the same columns, all VARCHAR, so dirty values survive.

    truth/customers_truth.csv   customer_id,profile,stopped_at,decline_started_at,purchase_days_per_year
Optional inputs (docs/rules/raw-input.md): products, behavior_events, customer_preferences (with its
history), suppressions, and extra columns on customers and transactions.

Row counts: the customers file holds exactly ``customers`` distinct customer_ids plus
the injected exact-duplicate rows; the transactions file holds exactly
``transactions`` rows, dirty rows included.

Usage:
    python -m segmentation_tools.datagen --customers 50000 --transactions 13500000 \
        --as-of 2026-11-22 --seed 42 --out data/demo/raw --format csv
"""
