"""The tools around the warehouse, apart from its runtime package (segmentation/): they may import it, it never
imports them (tests/unit/test_import_direction.py). Installed with the `tools` extra (Faker for the generator).

    python -m segmentation_tools.datagen              generate the demo's raw files (its world and planted truth)
    python -m segmentation_tools.datagen.loop         the demo's marketing loop on a generated world
    python -m segmentation_tools.demo                 the demo's whole build: generate, loop, build with history
    python -m segmentation_tools.benchmark            time fresh builds and monthly runs
    python -m segmentation_tools.engines.portability  build on DuckDB, Postgres and Spark and compare

sample.py names the generated test sample the integration tests and the engine comparison build.
"""
