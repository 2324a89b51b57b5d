"""The benchmark's output: the table of figures, the notes under it, and the JSON record."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from segmentation_tools.benchmark.measure import SAMPLE_SECONDS
from segmentation_tools.benchmark.next_month import next_month_end
from segmentation_tools.benchmark.stats import CapabilityCost, Figure, Repeat, spread

MB = 1_000_000


def format_value(value: float, unit: str) -> str:
    if unit == "x":
        return f"{value:.2f} x"
    return f"{value:.1f} s" if unit == "s" else f"{value / MB:,.0f} MB"


def format_table(rows: Sequence[Figure]) -> str:
    cells = [("figure", "median", "min - max")]
    for row in rows:
        if not row.values:
            cells.append((row.label, "skipped", ""))
            continue
        summary = spread(row.values)
        low, high = format_value(summary.low, row.unit), format_value(summary.high, row.unit)
        cells.append((row.label, format_value(summary.median, row.unit), f"{low.split()[0]} - {high}"))
    widths = [max(len(cell[column]) for cell in cells) for column in range(3)]
    return "\n".join(
        f"{label:<{widths[0]}}   {median:>{widths[1]}}   {span:>{widths[2]}}".rstrip() for label, median, span in cells
    )


def figures_json(rows: Sequence[Figure]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for row in rows:
        unit = {"s": "seconds", "x": "ratio"}.get(row.unit, "bytes")
        digits = {"s": 3, "x": 3}.get(row.unit, 0)
        entry: dict[str, Any] = {
            "figure": row.label.strip(),
            "unit": unit,
            "values": [round(value, digits) for value in row.values],
        }
        if row.values:
            summary = spread(row.values)
            entry.update(
                median=round(summary.median, digits), min=round(summary.low, digits), max=round(summary.high, digits)
            )
        out.append(entry)
    return out


def format_capabilities(costs: Sequence[CapabilityCost]) -> str:
    """The cost-by-capability table: nodes, the median and min - max of the time, the median share of the total."""
    cells = [("capability", "nodes", "median", "min - max", "share")]
    for cost in costs:
        summary, share = spread(cost.seconds), spread(cost.shares)
        nodes = "loader, wall" if cost.nodes is None else str(cost.nodes)
        span = f"{summary.low:.1f} - {summary.high:.1f} s"
        cells.append((cost.capability.value, nodes, f"{summary.median:.1f} s", span, f"{share.median:.1%}"))
    widths = [max(len(cell[column]) for cell in cells) for column in range(5)]
    return "\n".join(
        f"{name:<{widths[0]}}   {nodes:>{widths[1]}}   {median:>{widths[2]}}   {span:>{widths[3]}}   "
        f"{share:>{widths[4]}}".rstrip()
        for name, nodes, median, span, share in cells
    )


def capabilities_json(costs: Sequence[CapabilityCost]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for cost in costs:
        summary, share = spread(cost.seconds), spread(cost.shares)
        out.append(
            {
                "capability": cost.capability.value,
                "nodes": cost.nodes,
                "unit": "seconds",
                "values": [round(value, 3) for value in cost.seconds],
                "median": round(summary.median, 3),
                "min": round(summary.low, 3),
                "max": round(summary.high, 3),
                "share": {
                    "values": [round(value, 4) for value in cost.shares],
                    "median": round(share.median, 4),
                    "min": round(share.low, 4),
                    "max": round(share.high, 4),
                },
            }
        )
    return out


def header_lines(args: argparse.Namespace, host: Mapping[str, Any], found: Mapping[str, str]) -> list[str]:
    return [
        f"benchmark: {args.customers:,} customers x {args.transactions:,} transactions, {args.repeat} repeat(s), "
        f"as of {args.as_of} (monthly run {next_month_end(args.as_of)}), target {args.target or '(profile default)'}",
        f"machine: {host['cpus']} CPUs, {host['cpu_model']}, {host['memory_bytes'] / 1024**3:.1f} GiB RAM, "
        f"load average {' '.join(str(load) for load in host['load_average_at_start'])}",
        "versions: " + ", ".join(f"{package} {version}" for package, version in found.items()),
    ]


def notes(repeats: Sequence[Repeat]) -> list[str]:
    node_count = len(repeats[0].run_results.node_seconds)
    return [
        "start-up + parse = build wall - run_results elapsed_time: Python and dbt start-up, parsing the project,",
        "  building the graph and writing the artefacts. elapsed_time covers the relation cache, hooks and nodes.",
        f"node time = sum of execution_time over {node_count} nodes (hooks included); with threads > 1 nodes overlap,",
        "  so it can exceed elapsed_time. The slowest nodes are ranked by their median.",
        "The build leaves out the dbt unit tests, as the scheduled build does; they run on fixtures, and are timed",
        "  on their own as one `dbt test --select test_type:unit` (start-up included).",
        "cost by capability = node time summed per capability (segmentation_tools/benchmark/capabilities.py: by the",
        "  node's folder, data tests apart as tests); loading is the loader's wall time. share = of loading + all node",
        "  time, in each repeat, then the median; node time overlaps with threads > 1, so the total is not wall time.",
        "peak RSS = largest sum of VmRSS over the command's process tree, "
        f"sampled every {SAMPLE_SECONDS:g} s. MB = 10^6 bytes.",
    ]


def write_record(
    folder: Path,
    args: argparse.Namespace,
    host: Mapping[str, Any],
    found: Mapping[str, str],
    skip_monthly: str | None,
    rows: Sequence[Figure],
    repeats: Sequence[Repeat],
    costs: Sequence[CapabilityCost],
) -> Path:
    """Write the run's settings, machine, versions and figures as JSON in `folder`; returns the file."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    out = folder / f"{stamp}-{args.customers}x{args.transactions}.json"
    record = {
        "created_at": dt.datetime.now().isoformat(timespec="seconds"),
        "customers": args.customers,
        "transactions": args.transactions,
        "repeat": args.repeat,
        "seed": args.seed,
        "as_of": args.as_of.isoformat(),
        "monthly_as_of": next_month_end(args.as_of).isoformat(),
        "target": args.target,
        "monthly_skipped": skip_monthly,
        "machine": host,
        "versions": found,
        "figures": figures_json(rows),
        "capabilities": capabilities_json(costs),
        "nodes_per_repeat": [repeat.run_results.node_seconds for repeat in repeats],
        "node_statuses_per_repeat": [repeat.run_results.node_statuses for repeat in repeats],
        "node_capabilities": {node: capability.value for node, capability in repeats[0].node_capabilities.items()},
    }
    out.write_text(json.dumps(record, indent=2) + "\n")
    return out
