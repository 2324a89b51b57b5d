"""`python -m segmentation_tools.datagen.loop --raw-dir DIR --database FILE [--published FILE]`: the demo's marketing
loop, run as the bank runs its own (docs/marketing.md).

For each month-end the demo's sent campaigns were selected at: the month-end cycle as of that date (the same
command a scheduler runs, into the given working file, published), then for each campaign the export command
(audited) and the simulated messaging platform (segmentation_tools/datagen/platform.py), which appends the campaign's
log, its unsubscribes and the world's answer to the raw files. Then the demo's real build starts from a new
warehouse file (the Makefile's `build`), which must select the same audiences again: eligibility is judged as of
the selection date, so nothing the campaigns caused after it can change them.

Run once per generated world: it refuses a folder whose campaigns were already sent.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import duckdb

from segmentation.exports.audit import audit_log_path, read_records
from segmentation.project import PROJECT_DIR, dbt_output_env, from_work_dir
from segmentation.publish import default_published_path
from segmentation_tools.datagen.demo_campaigns import CAMPAIGNS_FILE, DemoCampaign, demo_campaigns, selection_date
from segmentation_tools.datagen.demo_segments import SEGMENTS_FILE
from segmentation_tools.datagen.generator import SUMMARY_FILE
from segmentation_tools.datagen.platform import SendOutcome, raw_file, send
from segmentation_tools.datagen.truth import CAMPAIGNS_TRUTH_FILE, TRUTH_DIR

# What the platform needs of each customer: the id, and the contact the channel sends to.
EXPORT_FIELDS: dict[str, str] = {
    "email": "customer_id,email",
    "sms": "customer_id,phone",
    "phone": "customer_id,phone",
    "push": "customer_id",
}


class LoopFailed(Exception):
    """A step of the loop failed; the message says which and what to do."""


def world_of(raw_dir: Path) -> tuple[dt.date, int]:
    """The generated world's as-of date and seed, from its summary file."""
    path = raw_dir / SUMMARY_FILE
    try:
        summary = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise LoopFailed(f"{path} is missing or unreadable ({error}): generate the demo first (make data)") from None
    return dt.date.fromisoformat(summary["as_of"]), int(summary["seed"])


def sent_campaigns(as_of: dt.date) -> list[DemoCampaign]:
    return [campaign for campaign in demo_campaigns(as_of) if campaign.is_sent_by_demo]


def project_relative(path: Path) -> str:
    """A path as the dbt vars take it: relative to the project when inside it, else absolute."""
    resolved = path.resolve()
    try:
        return str(resolved.relative_to(PROJECT_DIR))
    except ValueError:
        return str(resolved)


def run(command: list[str], what: str, env: dict[str, str] | None) -> None:
    completed = subprocess.run(
        command,
        cwd=PROJECT_DIR,
        env=dbt_output_env(env if env is not None else dict(os.environ)),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    if completed.returncode != 0:
        sys.stdout.write(completed.stdout[-6000:])
        raise LoopFailed(f"{what} failed (exit {completed.returncode}); its output is above")


def build_as_of(
    selected: dt.date, raw_dir: Path, database: Path, published: Path, log_file: Path, env: dict[str, str] | None
) -> None:
    """The month-end cycle as of the selection date, with the demo's definitions: the audiences are selected there."""
    variables = json.dumps(
        {
            "campaigns_file": project_relative(raw_dir / CAMPAIGNS_FILE),
            "segments_file": project_relative(raw_dir / SEGMENTS_FILE),
        }
    )
    run(
        [
            sys.executable,
            "-m",
            "segmentation.run_month",
            "--as-of",
            selected.isoformat(),
            "--raw-dir",
            project_relative(raw_dir),
            "--database",
            str(database),
            "--published",
            str(published),
            "--log-file",
            str(log_file),
            "--vars",
            variables,
        ],
        f"the month-end cycle as of {selected}",
        env,
    )


def export(campaign: DemoCampaign, published: Path, env: dict[str, str] | None) -> list[int]:
    """The export command on the campaign (its audit record appended), and the ids it wrote."""
    log = audit_log_path(published)
    recorded = len(read_records(log))
    run(
        [
            sys.executable,
            "-m",
            "segmentation.exports",
            "--campaign",
            campaign.campaign_id,
            "--format",
            "csv",
            "--fields",
            EXPORT_FIELDS[campaign.channel],
            "--database",
            str(published),
        ],
        f"the export of {campaign.campaign_id}",
        env,
    )
    new = [record for record in read_records(log)[recorded:] if record.campaign_id == campaign.campaign_id]
    if not new:
        raise LoopFailed(f"the export of {campaign.campaign_id} left no new audit record in {log}")
    with open(new[-1].file_path, newline="", encoding="utf-8") as file:
        return [int(row["customer_id"]) for row in csv.DictReader(file)]


def holdout_of(campaign: DemoCampaign, published: Path) -> list[int]:
    """The held-out members the platform logs as not sent: the audience's holdout rows."""
    with duckdb.connect(str(published), read_only=True) as con:
        rows = con.execute(
            "select customer_id from campaign_audiences where campaign_id = ? and test_group = 'holdout'",
            [campaign.campaign_id],
        ).fetchall()
    return [int(row[0]) for row in rows]


def describe(outcome: SendOutcome) -> str:
    return (
        f"sent {outcome.campaign_id} ({outcome.channel}): {outcome.treatment:,} treatment, {outcome.holdout:,} holdout;"
        f" delivered {outcome.delivered:,}, opened {outcome.opened:,}, clicked {outcome.clicked:,},"
        f" unsubscribed {outcome.unsubscribed:,}; converted anyway {outcome.treatment_converted_anyway:,} treatment,"
        f" {outcome.holdout_converted:,} holdout; planted {outcome.planted:,} conversions"
    )


def run_loop(
    raw_dir: Path, database: Path, published: Path, log_file: Path, env: dict[str, str] | None = None
) -> list[SendOutcome]:
    """Build as of the selection month-end, then export and send each of the demo's sent campaigns. ``env``: the
    commands' environment (default this process's; tests keep dbt's target/ and logs/ in their own folder)."""
    as_of, seed = world_of(raw_dir)
    truth = raw_dir / TRUTH_DIR / CAMPAIGNS_TRUTH_FILE
    if truth.exists():
        raise LoopFailed(f"the campaigns of {raw_dir} were already sent ({truth} exists): generate the demo again")
    # no campaign has been sent in this world yet: an empty log is no file (the build refuses a header alone)
    raw_file(raw_dir, "campaign_deliveries").unlink(missing_ok=True)
    selected = selection_date(as_of)
    started = time.perf_counter()
    print(f"marketing loop: the month-end cycle as of {selected}… ", end="", flush=True)
    build_as_of(selected, raw_dir, database, published, log_file, env)
    print(f"done in {time.perf_counter() - started:.1f}s", flush=True)
    outcomes = []
    for campaign in sent_campaigns(as_of):
        treatment = export(campaign, published, env)
        outcome = send(raw_dir, campaign, treatment, holdout_of(campaign, published), as_of, seed)
        print(f"marketing loop: {describe(outcome)}", flush=True)
        outcomes.append(outcome)
    return outcomes


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--raw-dir", type=Path, default=Path("data/demo/raw"), help="the generated world's folder")
    parser.add_argument(
        "--database", type=Path, default=Path("data/demo/warehouse.duckdb"), help="the working warehouse file"
    )
    parser.add_argument("--published", type=Path, default=None, help="default: published/<name> beside --database")
    parser.add_argument("--log-file", type=Path, default=Path("logs/run_month.log"), help="the cycle's log")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    database = from_work_dir(args.database)
    published = args.published or default_published_path(database)
    raw_dir = from_work_dir(args.raw_dir)
    started = time.perf_counter()
    try:
        outcomes = run_loop(raw_dir, database, published, args.log_file)
    except (LoopFailed, OSError, duckdb.Error) as error:
        print(f"\nmarketing loop FAILED: {error}", file=sys.stderr)
        return 1
    print(
        f"marketing loop done in {time.perf_counter() - started:.1f}s: {len(outcomes)} campaign(s) sent, their log,"
        f" unsubscribes and planted conversions appended to {raw_dir}, the truth in {raw_dir / TRUTH_DIR}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
