"""The customer segmentation warehouse's Python: data generation, the monthly cycle, publishing,
the summary, the benchmark and the engine comparison.

Entry points (run from the project root):
    python -m segmentation.datagen                generate the raw customers and transactions files
    python -m segmentation.ingest                 load the raw files into the target's raw tables
    python -m segmentation.run_month              the scheduled month-end cycle: build, publish, summary
    python -m segmentation.publish                publish the working warehouse's marts for readers
    python -m segmentation.summary                print the segment summary of a warehouse
    python -m segmentation.benchmark              time fresh builds and monthly runs
    python -m segmentation.engines.portability    build on DuckDB, Postgres and Spark and compare
"""
