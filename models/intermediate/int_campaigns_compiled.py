"""The campaigns of campaigns.yml (docs/rules/campaigns.md), validated and compiled for the campaign models.

Like int_user_segments_compiled: dbt's Jinja cannot read a file, so this reads the file named by the var
`campaigns_file` (none by default: no campaigns) with segmentation.campaigns, the same code the
monthly cycle validates with, and stops the build with every definition error before any campaign model
runs. One row per campaign; every value is bound as a parameter, and `criteria` arrive as the segment
language's compiled predicate. DuckDB only (docs/decisions.md).
"""

import os
from pathlib import Path


def model(dbt, session):
    dbt.config(materialized="table")
    project_dir = Path(os.environ.get("DBT_PROJECT_DIR") or os.getcwd()).resolve()
    try:
        from segmentation.campaigns.build import COLUMNS, compiled_rows, read_campaigns
    except ImportError as error:
        raise RuntimeError(
            "cannot import segmentation.campaigns: install the package where dbt runs (make install, or pip install .)"
        ) from error

    catalog = dbt.ref("int_segments_combined")
    segment_ids = [row[0] for row in catalog.select("segment_id").fetchall()]
    campaigns_file = dbt.config.get("campaigns_file") or None
    segments_file = dbt.config.get("segments_file") or None
    campaigns = read_campaigns(project_dir, campaigns_file, segment_ids, segments_file)

    session.execute(f"create or replace temp table campaigns_compiled ({COLUMNS})")
    rows = compiled_rows(campaigns, campaigns_file)
    if rows:
        placeholders = ", ".join("?" for _ in rows[0])
        session.executemany(f"insert into campaigns_compiled values ({placeholders})", rows)
    return session.table("campaigns_compiled")
