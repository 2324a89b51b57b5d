"""Benchmark the pipeline: generate data once, then time K fresh builds and monthly runs.

Everything lives under its own folder (default data/bench): the raw files, a warehouse that is
deleted before every repeat, dbt's target/ and logs, each command's output, and the figures as
JSON. The demo (data/demo/), data/raw, data/warehouse.duckdb, target/ and logs/ are never touched.

Before the repeats it also writes the files as they would arrive a month later (the transactions
file grown by a month of rows) for the monthly runs. Each repeat times, as whole commands
(process start to exit):
  1. `dbt parse` with no saved manifest (dbt's cold start), so that
  2. `dbt build` (models, data tests, snapshots) as of --as-of, on an empty warehouse, reuses the
     parse as any later dbt command in the project does; it leaves out the dbt unit tests, as the
     scheduled build does (segmentation/run_month.py), and
  3. times them on their own, `dbt test --select test_type:unit`, as `make test` runs them;
  4. `python -m segmentation.run_month` for the next month-end after it, on the warehouse step 2
     left and the grown files: the scheduled monthly cycle (build, publish, summary) exactly as
     cron would start it. It stages only the new month's transactions.
It prints the median and min-max of every figure over the repeats, then the cost of each capability
(the build's node time grouped by capabilities.py, the loader's time as loading), and writes them as JSON.

Exit codes: 0 done, 1 a step failed (its command, exit code and last output lines are printed),
75 another benchmark is running in the same folder.
"""
