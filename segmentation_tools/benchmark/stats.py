"""The figures: run_results.json parsed, one repeat's measurements, and the median and range of
each figure over the repeats."""

from __future__ import annotations

import dataclasses
import statistics
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from segmentation_tools.benchmark.capabilities import Capability, capability_nodes, capability_seconds

SLOWEST_NODES = 5


@dataclasses.dataclass(frozen=True)
class Spread:
    median: float
    low: float
    high: float


def spread(values: Sequence[float]) -> Spread:
    if not values:
        raise ValueError("no values to summarise")
    return Spread(statistics.median(values), min(values), max(values))


@dataclasses.dataclass(frozen=True)
class RunResults:
    """What one dbt invocation's run_results.json says about where its time went."""

    elapsed_seconds: float  # before_run (relation cache), hooks and nodes; excludes start-up and parse
    node_seconds: dict[str, float]  # unique_id -> execution_time, hooks included
    # unique_id -> dbt's status (success, pass, warn, no-op): two scales' records show they ran the same nodes
    node_statuses: dict[str, str] = dataclasses.field(default_factory=dict)

    @property
    def node_seconds_total(self) -> float:
        return sum(self.node_seconds.values())


def parse_run_results(data: Mapping[str, Any]) -> RunResults:
    return RunResults(
        elapsed_seconds=float(data["elapsed_time"]),
        node_seconds={result["unique_id"]: float(result["execution_time"]) for result in data["results"]},
        node_statuses={result["unique_id"]: str(result["status"]) for result in data["results"]},
    )


NODE_LABEL_MAX = 80  # dbt names a test after all its arguments; an accepted_values list would widen the table


def node_label(unique_id: str) -> str:
    """'model.segmentation.stg_customers' -> 'model stg_customers'; a test's hash suffix is dropped, and a
    name longer than NODE_LABEL_MAX is cut with an ellipsis."""
    kind, _package, *rest = unique_id.split(".")
    if kind == "test" and len(rest) > 1:
        rest = rest[:-1]
    label = f"{kind} {'.'.join(rest)}"
    return label if len(label) <= NODE_LABEL_MAX else label[: NODE_LABEL_MAX - 1] + "…"


def slowest_nodes(runs: Sequence[Mapping[str, float]], count: int) -> list[str]:
    """The `count` nodes with the largest median execution time over the repeats."""
    node_ids = {node_id for run in runs for node_id in run}
    medians = {node_id: statistics.median([run[node_id] for run in runs if node_id in run]) for node_id in node_ids}
    return sorted(medians, key=lambda node_id: (-medians[node_id], node_id))[:count]


@dataclasses.dataclass(frozen=True)
class Repeat:
    """The figures of one repeat; None where a step was skipped or does not apply."""

    build_seconds: float
    build_peak_rss_bytes: int
    run_results: RunResults
    warehouse_bytes: int | None
    monthly_seconds: float | None
    monthly_peak_rss_bytes: int | None
    cold_parse_seconds: float | None = None  # `dbt parse` with no saved manifest, run before the build
    unit_test_seconds: float | None = None  # the dbt unit tests, which the build leaves out, on their own
    load_seconds: float | None = None  # the loader reading every raw file into the raw tables, before the build
    # unique_id -> capability, from the build's manifest (capabilities.node_capabilities)
    node_capabilities: Mapping[str, Capability] = dataclasses.field(default_factory=dict)
    # the fresh build with the backfill of recorded month-ends, as `make build` runs it, on its own warehouse file
    backfill_seconds: float | None = None
    backfill_run_seconds: float | None = None  # its run_results elapsed_time
    backfill_peak_rss_bytes: int | None = None
    # the monthly run's dbt build, from the run_results.json it wrote
    monthly_run_results: RunResults | None = None
    # the same monthly run on the backfill build's warehouse, whose history then holds every recorded month-end
    history_monthly_seconds: float | None = None
    history_monthly_peak_rss_bytes: int | None = None
    history_monthly_run_results: RunResults | None = None

    @property
    def startup_parse_seconds(self) -> float:
        return self.build_seconds - self.run_results.elapsed_seconds

    @property
    def monthly_to_build(self) -> float | None:
        return self.monthly_seconds / self.build_seconds if self.monthly_seconds is not None else None

    @property
    def monthly_node_seconds(self) -> float | None:
        return self.monthly_run_results.node_seconds_total if self.monthly_run_results else None

    @property
    def monthly_node_to_build(self) -> float | None:
        """The monthly run's node time over the fresh build's: what the monthly dbt build costs, start-up aside."""
        if self.monthly_run_results is None or self.run_results.node_seconds_total <= 0:
            return None
        return self.monthly_run_results.node_seconds_total / self.run_results.node_seconds_total

    @property
    def history_monthly_node_seconds(self) -> float | None:
        return self.history_monthly_run_results.node_seconds_total if self.history_monthly_run_results else None

    @property
    def history_monthly_node_to_monthly(self) -> float | None:
        """The monthly run's node time with the backfill's history over its node time with one recorded date:
        how much the recorded history adds to a month's cost (1 when it adds nothing)."""
        if self.history_monthly_run_results is None or not self.monthly_node_seconds:
            return None
        return self.history_monthly_run_results.node_seconds_total / self.monthly_node_seconds


@dataclasses.dataclass(frozen=True)
class Figure:
    label: str
    unit: str  # "s", "MB" or "x" (a ratio); values are kept in seconds, bytes or as the ratio
    values: list[float]


def figures(
    generation_seconds: float,
    repeats: Sequence[Repeat],
    next_month_seconds: float | None = None,
) -> list[Figure]:
    """One figure per table row, each with its value in every repeat (empty when skipped)."""

    def present(values: list[float | int | None]) -> list[float]:
        return [float(value) for value in values if value is not None]

    def each(value: Callable[[Repeat], float | int | None]) -> list[float]:
        """The figure in every repeat that has it."""
        return present([value(r) for r in repeats])

    rows = [
        Figure("data generation (once)", "s", [generation_seconds]),
        Figure("next month's rows appended (once)", "s", present([next_month_seconds])),
        Figure("dbt parse, cold (before the build)", "s", each(lambda r: r.cold_parse_seconds)),
        Figure("raw files loaded (segmentation.ingest), wall", "s", each(lambda r: r.load_seconds)),
        Figure("dbt build, wall", "s", [r.build_seconds for r in repeats]),
        Figure("  start-up + parse (wall - elapsed)", "s", [r.startup_parse_seconds for r in repeats]),
        Figure("  run (run_results elapsed_time)", "s", [r.run_results.elapsed_seconds for r in repeats]),
        Figure("  node time, summed over nodes", "s", [r.run_results.node_seconds_total for r in repeats]),
    ]
    runs = [r.run_results.node_seconds for r in repeats]
    for node_id in slowest_nodes(runs, SLOWEST_NODES):
        rows.append(Figure(f"    {node_label(node_id)}", "s", [run[node_id] for run in runs if node_id in run]))
    rows += [
        Figure("dbt unit tests, wall (not in the build)", "s", each(lambda r: r.unit_test_seconds)),
        Figure("dbt build with the backfill, wall", "s", each(lambda r: r.backfill_seconds)),
        Figure("  its run (run_results elapsed_time)", "s", each(lambda r: r.backfill_run_seconds)),
        Figure("monthly run (run_month.py), wall", "s", each(lambda r: r.monthly_seconds)),
        Figure("  monthly run / dbt build", "x", each(lambda r: r.monthly_to_build)),
        Figure("  its node time, summed over nodes", "s", each(lambda r: r.monthly_node_seconds)),
        Figure("  its node time / the build's", "x", each(lambda r: r.monthly_node_to_build)),
        Figure("monthly run after the backfill, wall", "s", each(lambda r: r.history_monthly_seconds)),
        Figure("  its node time, with the history recorded", "s", each(lambda r: r.history_monthly_node_seconds)),
        Figure("  that / the node time after one date", "x", each(lambda r: r.history_monthly_node_to_monthly)),
        Figure("peak RSS, dbt build", "MB", [r.build_peak_rss_bytes for r in repeats]),
        Figure("peak RSS, monthly run", "MB", each(lambda r: r.monthly_peak_rss_bytes)),
        Figure("peak RSS, build with the backfill", "MB", each(lambda r: r.backfill_peak_rss_bytes)),
        Figure("peak RSS, monthly run after the backfill", "MB", each(lambda r: r.history_monthly_peak_rss_bytes)),
        Figure("warehouse file after build", "MB", each(lambda r: r.warehouse_bytes)),
    ]
    return rows


@dataclasses.dataclass(frozen=True)
class CapabilityCost:
    """One capability's time in every repeat, and its share of that repeat's total (loading + all node time)."""

    capability: Capability
    nodes: int | None  # the build's nodes in it (of the first repeat); None for loading, which is no node
    seconds: list[float]
    shares: list[float]


def capability_costs(repeats: Sequence[Repeat]) -> list[CapabilityCost]:
    """Every capability, in Capability's order; loading only where the loader was timed in every repeat."""
    per_repeat = [capability_seconds(r.run_results.node_seconds, r.node_capabilities, r.load_seconds) for r in repeats]
    totals = [sum(seconds.values()) for seconds in per_repeat]
    counts = capability_nodes(repeats[0].run_results.node_seconds, repeats[0].node_capabilities)
    costs = []
    for capability in Capability:
        if not all(capability in seconds for seconds in per_repeat):
            continue
        values = [seconds[capability] for seconds in per_repeat]
        shares = [value / total if total > 0 else 0.0 for value, total in zip(values, totals, strict=True)]
        costs.append(CapabilityCost(capability, counts.get(capability), values, shares))
    return costs
