"""Generate the raw customers/transactions files that the dbt segmentation project reads.

Why synthetic data: the segmentation rules need customers whose spending really
travels, declines, grows or stays necessity-heavy, so every customer gets a hidden
behaviour profile (profiles.py) and the transactions are drawn from that behaviour
(transactions.py). The segment labels are never written; they must be rediscovered by
the dbt models.

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

Row counts: the customers file holds exactly ``customers`` distinct customer_ids plus
the injected exact-duplicate rows; the transactions file holds exactly
``transactions`` rows, dirty rows included.

Usage:
    python -m segmentation.datagen --customers 50000 --transactions 13500000 \
        --as-of 2026-11-22 --seed 42 --out data/demo/raw --format csv
"""
