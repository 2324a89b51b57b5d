"""Fingerprints of every mart: its row count and one digest of its rows, so that a change to how the warehouse is
built (the loader, the layers, the monthly run) can show it leaves what the warehouse holds as it was.

    python -m segmentation_tools.engines.fingerprints --database data/demo/warehouse.duckdb [--out marts.json]
    python -m segmentation_tools.engines.fingerprints --database ... --compare tests/fixtures/sample_fingerprints.json

A digest is order-free (the sorted rows' texts), and a value's text is its meaning, not the engine's printing:
decimals without trailing zeros, doubles to 12 significant digits (their last bits depend on the order a sum was
taken in), dates and times in ISO form. Columns that measure the run rather than the data (VOLATILE) are left out.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import sys
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

# A mart's columns that describe the run, not its result.
VOLATILE: dict[str, tuple[str, ...]] = {"clv_model_fits": ("fit_seconds",)}
MARTS_SCHEMA = "main"


def value_text(value: Any) -> str:
    """A value as its meaning: 10.0 and 10.00 are one decimal; a double to 12 significant digits."""
    if value is None:
        return "∅"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        normal = value.normalize()
        return format(normal if normal != 0 else Decimal(0), "f")
    if isinstance(value, float):
        return format(value, ".12g")
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "[" + ",".join(value_text(item) for item in value) + "]"
    return str(value)


def digest(columns: Sequence[str], rows: Iterable[Sequence[Any]], volatile: Sequence[str] = ()) -> dict[str, Any]:
    """The fingerprint of one relation: columns (sorted, volatile ones left out), row count and a sha256 of the
    sorted rows, each row its values in column-name order."""
    kept = sorted((name.lower(), index) for index, name in enumerate(columns) if name.lower() not in volatile)
    texts = sorted("\x1f".join(value_text(row[index]) for _, index in kept) for row in rows)
    sha = hashlib.sha256()
    for text in texts:
        sha.update(text.encode())
        sha.update(b"\x1e")
    return {"columns": [name for name, _ in kept], "rows": len(texts), "sha256": sha.hexdigest()}


def duckdb_fingerprints(database: Path, schema: str = MARTS_SCHEMA) -> dict[str, dict[str, Any]]:
    """Every table and view of the warehouse's marts schema."""
    with duckdb.connect(str(database), read_only=True) as con:
        names = [
            row[0]
            for row in con.execute(
                "select table_name from information_schema.tables where table_schema = ? order by 1", [schema]
            ).fetchall()
        ]
        result = {}
        for name in names:
            relation = con.sql(f'select * from "{schema}"."{name}"')
            result[name] = digest(relation.columns, relation.fetchall(), VOLATILE.get(name, ()))
    return result


def differences(expected: dict[str, dict[str, Any]], actual: dict[str, dict[str, Any]]) -> list[str]:
    """What differs, one line per mart; empty when every mart is as expected."""
    lines = []
    for name in sorted(expected.keys() | actual.keys()):
        if name not in actual:
            lines.append(f"{name}: missing")
        elif name not in expected:
            lines.append(f"{name}: not in the expected fingerprints")
        elif expected[name] != actual[name]:
            was, now = expected[name], actual[name]
            detail = []
            if was["columns"] != now["columns"]:
                detail.append(f"columns {sorted(set(was['columns']) ^ set(now['columns']))} differ")
            if was["rows"] != now["rows"]:
                detail.append(f"{was['rows']:,} rows expected, {now['rows']:,} found")
            lines.append(f"{name}: " + ("; ".join(detail) or "same rows and columns, different values"))
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--database", type=Path, required=True, help="a DuckDB warehouse (the working file)")
    parser.add_argument("--out", type=Path, help="write the fingerprints here as JSON")
    parser.add_argument("--compare", type=Path, help="compare with the fingerprints in this JSON file")
    args = parser.parse_args(argv)
    fingerprints = duckdb_fingerprints(args.database)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(fingerprints, indent=1, sort_keys=True) + "\n")
        print(f"{len(fingerprints)} marts fingerprinted into {args.out}")
    if args.compare:
        found = differences(json.loads(args.compare.read_text()), fingerprints)
        for line in found:
            print(line)
        print(
            f"{len(fingerprints)} marts: "
            + ("identical to " if not found else f"{len(found)} differ from ")
            + str(args.compare)
        )
        return 1 if found else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
