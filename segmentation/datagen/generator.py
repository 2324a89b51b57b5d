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

from segmentation.datagen.consent import (
    DELIVERY_COLUMNS,
    PREFERENCE_COLUMNS,
    SUPPRESSION_COLUMNS,
    build_consent,
)
from segmentation.datagen.customers import build_customers, build_name_pools
from segmentation.datagen.dirt import (
    CUSTOMER_DIRT_RATES,
    TRANSACTION_DIRT_RATES,
    dirt_counts,
    inject_customer_dirt,
    inject_transaction_dirt,
    move_signups_after_as_of,
    pick_disjoint_rows,
)
from segmentation.datagen.events import draw_events, event_dirt_counts
from segmentation.datagen.extras import build_customer_extras, build_products
from segmentation.datagen.profiles import PROFILES, draw_behaviour
from segmentation.datagen.transactions import draw_transactions
from segmentation.datagen.writing import (
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
    # consent and campaigns (spec section 7): rows per file, and the treated customers a lift was planted in
    consent_rows: dict[str, int] = dataclasses.field(default_factory=dict)
    planted_conversions: dict[str, int] = dataclasses.field(default_factory=dict)
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


def write_marker(out_dir: Path, customers: int, transactions: int, as_of: dt.date, seed: int, fmt: str) -> None:
    """Claim the folder for the generator, with the arguments of the run that fills it."""
    marker = {
        "generated_by": "python -m segmentation.datagen",
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
    """Generate both files plus generation_summary.json in ``out_dir`` and return the summary.

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
    run_started = time.perf_counter()
    report = Progress(progress)
    # A fifth stream for the optional inputs, a sixth for the behaviour events and a seventh for consent and
    # campaigns: SeedSequence children depend only on their index, so the earlier ones (and their columns) are what
    # they were before each was added.
    behaviour_rng, customer_rng, transaction_rng, dirt_rng, extras_rng, events_rng, consent_rng = (
        np.random.default_rng(child) for child in np.random.SeedSequence(seed).spawn(7)
    )

    report.start("customers")
    behaviour = draw_behaviour(customers, behaviour_rng)
    customer_rows = pick_disjoint_rows(customers, dirt_counts(CUSTOMER_DIRT_RATES, customers, dirty), customer_rng)
    move_signups_after_as_of(behaviour, customer_rows["signup_after_as_of"], customer_rng)
    customer_columns = build_customers(behaviour, build_name_pools(seed), as_of, customer_rng)
    customer_columns.update(build_customer_extras(behaviour, as_of, extras_rng, dirty))
    customer_columns, customer_dirt = inject_customer_dirt(customer_columns, customer_rows, as_of, customer_rng)
    report.done()

    report.start("transactions")
    transaction_dirt_plan = dirt_counts(TRANSACTION_DIRT_RATES, transactions, dirty)
    clean_rows = transactions - transaction_dirt_plan["exact_duplicate_row"]
    tx = draw_transactions(behaviour, clean_rows, transaction_rng)
    report.done(f"{len(tx.transaction_id):,} rows")

    report.start("consent and campaigns")
    dirty_customer_rows = np.concatenate([np.asarray(rows, dtype=np.int64) for rows in customer_rows.values()])
    consent = build_consent(behaviour, customer_columns, dirty_customer_rows, tx, as_of, consent_rng, dirty)
    report.done(f"{len(consent.deliveries['customer_id']):,} deliveries")

    report.start("transaction dirt")
    tx, transaction_dirt = inject_transaction_dirt(tx, transaction_dirt_plan, customers, as_of, dirt_rng)
    report.done(f"{len(tx.transaction_id):,} rows")

    report.start("behaviour events")
    events = draw_events(behaviour, tx, events_rng, dirty)
    report.done(f"{len(events.event_id):,} rows")

    report.start("writing")
    files = {
        "customers": f"customers.{fmt}",
        "transactions": f"transactions.{fmt}",
        "products": f"products.{fmt}",
        "behavior_events": f"behavior_events.{fmt}",
        "customer_preferences": f"customer_preferences.{fmt}",
        "suppressions": f"suppressions.{fmt}",
        "campaign_deliveries": f"campaign_deliveries.{fmt}",
    }
    consent_files = (
        ("customer_preferences", consent.preferences, PREFERENCE_COLUMNS),
        ("suppressions", consent.suppressions, SUPPRESSION_COLUMNS),
        ("campaign_deliveries", consent.deliveries, DELIVERY_COLUMNS),
    )
    with duckdb.connect() as con:
        write_customers(con, customer_columns, out_dir / files["customers"], fmt)
        write_transactions(con, tx, as_of, out_dir / files["transactions"], fmt)
        write_products(con, build_products(extras_rng), out_dir / files["products"], fmt)
        write_events(con, events, as_of, out_dir / files["behavior_events"], fmt)
        for entity, columns, names in consent_files:
            write_text_columns(con, columns, names, out_dir / files[entity], fmt)
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
        planted_conversions=consent.planted,
    )
    (out_dir / SUMMARY_FILE).write_text(json.dumps(summary.to_json_dict(), indent=2) + "\n")
    summary.elapsed_seconds = round(time.perf_counter() - run_started, 2)
    return summary
