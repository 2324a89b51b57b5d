"""One generation run: validate, draw customers and transactions, inject dirt, write the files
and generation_summary.json."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import duckdb
import numpy as np

from segmentation_tools.datagen.consent import PREFERENCE_COLUMNS, SUPPRESSION_COLUMNS, build_consent
from segmentation_tools.datagen.customers import build_customers, build_name_pools
from segmentation_tools.datagen.demo_campaigns import write_campaigns_file
from segmentation_tools.datagen.demo_segments import LISTS_DIR, write_segments_file
from segmentation_tools.datagen.dirt import (
    CUSTOMER_DIRT_RATES,
    TRANSACTION_DIRT_RATES,
    dirt_counts,
    inject_customer_dirt,
    inject_transaction_dirt,
    move_signups_after_as_of,
    pick_disjoint_rows,
)
from segmentation_tools.datagen.events import draw_events, event_dirt_counts
from segmentation_tools.datagen.extras import build_customer_extras, build_products
from segmentation_tools.datagen.profiles import PROFILES, Behaviour, draw_behaviour
from segmentation_tools.datagen.timeline import HISTORY_DAYS, HISTORY_START, build_clock, day_dates
from segmentation_tools.datagen.transactions import draw_transactions
from segmentation_tools.datagen.truth import (
    CAMPAIGNS_TRUTH_FILE,
    CUSTOMERS_TRUTH_FILE,
    TRUTH_DIR,
    truth_columns,
    write_truth,
)
from segmentation_tools.datagen.writing import (
    FORMATS,
    write_customers,
    write_events,
    write_products,
    write_text_columns,
    write_transactions,
)

SUMMARY_FILE = "generation_summary.json"
# Written into every folder the generator fills, before any data file: the generator writes only
# into an empty folder or one that carries this marker, so it never overwrites a user's own files.
MARKER_FILE = ".generated-by-segmentation"
# The raw files a run writes (as <entity>.<format>), and those earlier versions wrote: in a folder the generator
# filled, every other copy of them is deleted first, so the build never reads a file left from an earlier run
# (another format, or campaign_deliveries, which the demo no longer generates).
ENTITIES: tuple[str, ...] = (
    "customers",
    "transactions",
    "products",
    "behavior_events",
    "customer_preferences",
    "suppressions",
)
FORMER_ENTITIES: tuple[str, ...] = ("campaign_deliveries",)


class FolderNotGenerated(ValueError):
    """The output folder holds files the generator did not write."""


@dataclasses.dataclass
class GenerationSummary:
    """What was written; the JSON copy omits timing so reruns stay byte-identical."""

    as_of: str
    seed: int
    format: str
    dirty_enabled: bool
    customers_requested: int
    transactions_requested: int
    customers_rows: int
    transactions_rows: int
    files: dict[str, str]
    dirty: dict[str, dict[str, int]]
    profiles: dict[str, int]
    behavior_events_rows: int = 0
    # consent (docs/rules/raw-input.md): rows per file
    consent_rows: dict[str, int] = dataclasses.field(default_factory=dict)
    # the hidden world in figures: history, acquisition, attrition, the scale fitted to the row count
    world: dict[str, Any] = dataclasses.field(default_factory=dict)
    elapsed_seconds: float = 0.0

    def to_json_dict(self) -> dict[str, Any]:
        """Summary for generation_summary.json, without the run-dependent timing."""
        data = dataclasses.asdict(self)
        del data["elapsed_seconds"]
        return data


class Progress:
    """One stderr line per phase, so a 15-second run does not look hung."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.started = time.perf_counter()

    def start(self, phase: str) -> None:
        """Announce a phase before the slow part starts."""
        self.started = time.perf_counter()
        if self.enabled:
            print(f"{phase}… ", end="", file=sys.stderr, flush=True)

    def done(self, detail: str = "done") -> None:
        """Finish the current line with the phase's elapsed time."""
        if self.enabled:
            print(f"{detail} in {time.perf_counter() - self.started:.1f}s", file=sys.stderr, flush=True)


def validate_arguments(customers: int, transactions: int, as_of: dt.date, seed: int, fmt: str) -> None:
    """Reject arguments that would otherwise fail deep inside numpy with a cryptic message."""
    if isinstance(as_of, dt.datetime) or not isinstance(as_of, dt.date):
        raise ValueError(f"as_of must be a datetime.date, got {as_of!r}")
    if customers < 0:
        raise ValueError(f"customers must be >= 0, got {customers}")
    if transactions < 0:
        raise ValueError(f"transactions must be >= 0, got {transactions}")
    if transactions > 0 and customers == 0:
        raise ValueError("transactions need at least one customer")
    if seed < 0:
        raise ValueError(f"seed must be >= 0, got {seed}")
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")


def prepare_out_dir(out_dir: Path) -> None:
    """Create the output directory and fail early, before minutes of work, if it is unusable."""
    if out_dir.exists() and not out_dir.is_dir():
        raise ValueError(f"output path {out_dir} exists but is not a directory")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ValueError(f"cannot create output directory {out_dir}: {error.strerror or error}") from error
    if not out_dir.is_dir() or not os.access(out_dir, os.W_OK | os.X_OK):
        raise ValueError(f"output directory {out_dir} is not writable")
    refuse_foreign_folder(out_dir)


def refuse_foreign_folder(out_dir: Path) -> None:
    """Refuse a non-empty folder without the generator's marker: its files may be a user's own data."""
    if (out_dir / MARKER_FILE).is_file():
        return
    present = sorted(entry.name for entry in out_dir.iterdir())
    if present:
        shown = ", ".join(present[:5]) + (f" and {len(present) - 5} more" if len(present) > 5 else "")
        raise FolderNotGenerated(
            f"refusing to write demo data into {out_dir}: it holds files the generator did not write ({shown}) "
            f"and no {MARKER_FILE} marker, so they may be your own data; nothing was changed. "
            f"To build a warehouse from your own files, run `make warehouse RAW_DIR={out_dir} AS_OF=<YYYY-MM-DD>`; "
            "for demo data, give an empty or new folder (`make build` uses data/demo/raw)."
        )


def remove_earlier_output(out_dir: Path) -> None:
    """Delete the raw files and truth an earlier run may have left in the generator's own folder."""
    for entity in ENTITIES + FORMER_ENTITIES:
        for fmt in FORMATS:
            (out_dir / f"{entity}.{fmt}").unlink(missing_ok=True)
    (out_dir / TRUTH_DIR / CUSTOMERS_TRUTH_FILE).unlink(missing_ok=True)
    # the marketing loop's truth: a new world has sent nothing yet
    (out_dir / TRUTH_DIR / CAMPAIGNS_TRUTH_FILE).unlink(missing_ok=True)


def write_marker(out_dir: Path, customers: int, transactions: int, as_of: dt.date, seed: int, fmt: str) -> None:
    """Claim the folder for the generator, with the arguments of the run that fills it."""
    marker = {
        "generated_by": "python -m segmentation_tools.datagen",
        "customers": customers,
        "transactions": transactions,
        "as_of": as_of.isoformat(),
        "seed": seed,
        "format": fmt,
    }
    (out_dir / MARKER_FILE).write_text(json.dumps(marker, indent=2) + "\n")


def generate(
    customers: int,
    transactions: int,
    as_of: dt.date,
    seed: int,
    out_dir: Path,
    fmt: str = "csv",
    dirty: bool = True,
    progress: bool = False,
) -> GenerationSummary:
    """Generate the raw files, the planted truth (truth/) and generation_summary.json in ``out_dir`` and
    return the summary.

    ``out_dir`` must be empty, new, or marked by an earlier run (MARKER_FILE); any other folder
    is refused with FolderNotGenerated before anything is written.

    Everything random comes from numpy generators spawned from ``seed`` (one per stage),
    so the customers file does not change when only the transaction count changes and the
    same arguments always give byte-identical files.
    """
    validate_arguments(customers, transactions, as_of, seed, fmt)
    out_dir = Path(out_dir)
    prepare_out_dir(out_dir)
    write_marker(out_dir, customers, transactions, as_of, seed, fmt)
    remove_earlier_output(out_dir)
    run_started = time.perf_counter()
    report = Progress(progress)
    # SeedSequence children depend only on their index: the behaviour (the hidden state), the customers file,
    # the transactions, their dirt, the optional inputs, the behaviour events and consent each draw from their own.
    behaviour_rng, customer_rng, transaction_rng, dirt_rng, extras_rng, events_rng, consent_rng = (
        np.random.default_rng(child) for child in np.random.SeedSequence(seed).spawn(7)
    )

    report.start("customers")
    clock = build_clock(as_of)
    behaviour = draw_behaviour(customers, clock, behaviour_rng)
    customer_rows = pick_disjoint_rows(customers, dirt_counts(CUSTOMER_DIRT_RATES, customers, dirty), customer_rng)
    move_signups_after_as_of(behaviour, customer_rows["signup_after_as_of"], customer_rng)
    customer_columns = build_customers(behaviour, build_name_pools(seed), as_of, customer_rng)
    status = customer_columns["account_status"].copy()
    customer_columns.update(build_customer_extras(behaviour, as_of, extras_rng, dirty))
    customer_columns, customer_dirt = inject_customer_dirt(customer_columns, customer_rows, as_of, customer_rng)
    report.done()

    report.start("transactions")
    transaction_dirt_plan = dirt_counts(TRANSACTION_DIRT_RATES, transactions, dirty)
    clean_rows = transactions - transaction_dirt_plan["exact_duplicate_row"]
    drawn = draw_transactions(behaviour, clock, clean_rows, transaction_rng)
    tx, rate_scale, last_day = drawn.tx, drawn.rate_scale, drawn.last_day
    del drawn  # the dirt below replaces tx's arrays: keep no reference to the clean ones
    truth = truth_columns(behaviour, last_day, rate_scale, as_of)
    # a customer who stopped is seen for the last time at their last transaction (or before their stop)
    last_seen = np.where(behaviour.stopped(), np.minimum(last_day, behaviour.stop_day - 1), 0)
    report.done(f"{len(tx.transaction_id):,} rows")

    report.start("consent")
    consent = build_consent(behaviour, customer_columns, status == "Closed", as_of, consent_rng, dirty)
    report.done(f"{len(consent.preferences['customer_id']):,} preference rows")

    report.start("transaction dirt")
    tx, transaction_dirt = inject_transaction_dirt(tx, transaction_dirt_plan, customers, as_of, dirt_rng)
    report.done(f"{len(tx.transaction_id):,} rows")

    report.start("behaviour events")
    events = draw_events(behaviour, tx, last_seen, behaviour.stopped() & (status == "Active"), events_rng, dirty)
    report.done(f"{len(events.event_id):,} rows")

    report.start("writing")
    files = {entity: f"{entity}.{fmt}" for entity in ENTITIES}
    consent_files = (
        ("customer_preferences", consent.preferences, PREFERENCE_COLUMNS),
        ("suppressions", consent.suppressions, SUPPRESSION_COLUMNS),
    )
    with duckdb.connect() as con:
        write_customers(con, customer_columns, out_dir / files["customers"], fmt)
        write_transactions(con, tx, as_of, out_dir / files["transactions"], fmt)
        write_products(con, build_products(extras_rng), out_dir / files["products"], fmt)
        write_events(con, events, as_of, out_dir / files["behavior_events"], fmt)
        for entity, columns, names in consent_files:
            write_text_columns(con, columns, names, out_dir / files[entity], fmt)
        truth_path = write_truth(con, truth, out_dir)
    files["customers_truth"] = str(truth_path.relative_to(out_dir))
    files["campaigns"] = write_campaigns_file(out_dir, as_of).name
    segments_file = write_segments_file(out_dir)
    files["segments"] = segments_file.name
    files["segment_lists"] = str(segments_file.with_name(LISTS_DIR).relative_to(out_dir))
    report.done(", ".join(files.values()))

    profile_counts = np.bincount(behaviour.profile, minlength=len(PROFILES))
    summary = GenerationSummary(
        as_of=as_of.isoformat(),
        seed=seed,
        format=fmt,
        dirty_enabled=dirty,
        customers_requested=customers,
        transactions_requested=transactions,
        customers_rows=len(customer_columns["customer_id"]),
        transactions_rows=len(tx.transaction_id),
        files=files,
        dirty={
            "customers": customer_dirt,
            "transactions": transaction_dirt,
            "behavior_events": event_dirt_counts(events, customers),
        },
        profiles={spec.name: int(count) for spec, count in zip(PROFILES, profile_counts, strict=True)},
        behavior_events_rows=len(events.event_id),
        consent_rows={entity: len(columns[names[0]]) for entity, columns, names in consent_files},
        world=world_figures(behaviour, truth, rate_scale, as_of),
    )
    (out_dir / SUMMARY_FILE).write_text(json.dumps(summary.to_json_dict(), indent=2) + "\n")
    summary.elapsed_seconds = round(time.perf_counter() - run_started, 2)
    return summary


def world_figures(
    behaviour: Behaviour, truth: dict[str, np.ndarray], rate_scale: float, as_of: dt.date
) -> dict[str, Any]:
    """The hidden world in a few figures for the summary: history, signups, who paid, stopped and declined."""
    in_history = (behaviour.signup_day >= HISTORY_START) & (behaviour.signup_day <= 0)
    can_transact = int(sum(rate is not None for rate in truth["purchase_days_per_year"]))
    return {
        "history_days": HISTORY_DAYS,
        "history_start": str(day_dates(as_of, np.array([HISTORY_START]))[0]),
        "rate_scale": round(rate_scale, 4),
        "signed_up_in_history": int(in_history.sum()),
        "can_transact": can_transact,
        "stopped": int(sum(value is not None for value in truth["stopped_at"])),
        "declined": int(sum(value is not None for value in truth["decline_started_at"])),
    }
