"""The user-defined segments of segments.yml (docs/rules/user-segments.md), validated and compiled to SQL.

A dbt Python model because dbt's Jinja cannot read a file: this reads the file named by the var
`segments_file` (none by default: no user-defined segments) with segmentation.segments, the same
code the monthly cycle and the preview command use, and stops the build with every definition
error (file, segment, key) before any model that reads user-defined segments runs. One row per
segment with its SQL predicate; int_customers_user_segmented evaluates them. DuckDB only
(docs/decisions.md).
"""

import os
from pathlib import Path


def model(dbt, session):
    dbt.config(materialized="table")
    # The project root: $DBT_PROJECT_DIR (dbt's --project-dir as an environment variable) or where dbt runs.
    project_dir = Path(os.environ.get("DBT_PROJECT_DIR") or os.getcwd()).resolve()
    try:
        from segmentation.segments.build import compiled_rows, read_segments
    except ImportError as error:
        raise RuntimeError(
            "cannot import segmentation.segments: install the package where dbt runs (make install, or pip install .)"
        ) from error

    builtin = dbt.ref("int_segments_defined")
    builtin_ids = [row[0] for row in builtin.select("segment_id").fetchall()]
    segments_file = dbt.config.get("segments_file") or None
    # the adapter this build runs on: the lifetime-value columns exist only where their models run
    engine = dbt.config.get("target_type") or "duckdb"
    segments = read_segments(project_dir, segments_file, builtin_ids, engine)

    columns = (
        "segment_id varchar, segment_name varchar, segment_type varchar, description varchar, criteria varchar,"
        " status varchar, source varchar, predicate varchar, listed_customer_ids bigint[], definitions_file varchar"
    )
    session.execute(f"create or replace temp table user_segments_compiled ({columns})")
    rows = compiled_rows(segments, segments_file)
    if rows:
        session.executemany("insert into user_segments_compiled values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    return session.table("user_segments_compiled")
