"""campaign_performance's statistics (docs/marketing.md#reading-lift), run as the project's own SQL.

The macros of macros/campaign_statistics.sql are rendered by dbt (`dbt compile --inline`) and the SQL is run by
DuckDB on tables written here: checked against statsmodels (Newcombe's interval, the pooled z-test, the power of
that test, Welch's interval of a difference of means) and scipy (the normal tail) over many cases, zeros, equal
groups and empty groups included; and by simulation, seeded: the 95 % interval's coverage of the true lift in the
scenarios of the spec, and the power of the test at the minimum detectable lift.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    power_proportions_2indep,
    proportions_ztest,
)
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

PROJECT_DIR = Path(__file__).resolve().parents[2]
DBT = Path(sys.executable).with_name("dbt")
SEPARATOR = "-- next query --"
QUERIES = {
    "tail": "select x, {{ normal_lower_tail('abs(x)') }} as tail, {{ normal_cdf('x') }} as cdf from points",
    "lift": (
        "select case_id, {{ lift_ci_low('x1', 'n1', 'x0', 'n0') }} as low, {{ lift_ci_high('x1', 'n1', 'x0', 'n0') }}"
        " as high, z, {{ two_sided_p_value('z') }} as p_value"
        " from (select *, {{ pooled_z('x1', 'n1', 'x0', 'n0') }} as z from experiments) as tested"
    ),
    "mde": "{{ minimum_detectable_lifts('designs', ['design_id']) }}",
    "revenue": (
        "select case_id,"
        " {{ incremental_revenue_ci('low', 'mean1', 'var1', 'n1', 'mean0', 'var0', 'n0') }} as low,"
        " {{ incremental_revenue_ci('high', 'mean1', 'var1', 'n1', 'mean0', 'var0', 'n0') }} as high"
        " from revenues"
    ),
}
# (treated, treatment size, converted held out, holdout size): zeros, everyone, equal groups, tiny and large groups.
EDGE_CASES = [
    (0, 100, 0, 50),
    (100, 100, 50, 50),
    (0, 100, 50, 50),
    (100, 100, 0, 50),
    (0, 1, 1, 1),
    (1, 1, 0, 1),
    (1, 1, 1, 1),
    (0, 1, 0, 1),
    (10, 100, 10, 100),
    (50, 100, 50, 100),
    (1, 1000, 0, 1000),
    (0, 1000, 1, 1000),
    (500, 1000, 500, 1000),
    (250, 5000, 25, 500),
    (1000, 5000, 100, 500),
    (30, 40, 2, 10),
    (999, 1000, 1, 1000),
    (123456, 1000000, 12000, 100000),
    (7, 13, 3, 11),
]
# The rules' scenarios: group sizes (treatment, holdout), holdout conversion rate, true (absolute) uplift.
SCENARIOS = [
    (sizes, rate, uplift) for sizes in ((1000, 1000), (5000, 500)) for rate in (0.05, 0.20) for uplift in (0.0, 0.02)
]
EXPERIMENTS = 4000
SEED = 20260416


def compile_queries(work: Path) -> dict[str, str]:
    """Each query of QUERIES with the project's macros rendered, from one `dbt compile --inline`."""
    text = f"\n{SEPARATOR}\n".join(QUERIES.values())
    env = {
        **os.environ,
        "DBT_PROFILES_DIR": str(PROJECT_DIR),
        "DUCKDB_PATH": str(work / "compile.duckdb"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    command = [str(DBT), "compile", "--quiet", "--target-path", str(work / "target"), "--log-path", str(work / "logs")]
    done = subprocess.run(
        [*command, "--inline", text], cwd=PROJECT_DIR, env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    parts = done.stdout.split(SEPARATOR)
    assert len(parts) == len(QUERIES), done.stdout[-3000:]
    return dict(zip(QUERIES, parts, strict=True))


@pytest.fixture(scope="module")
def sql(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return compile_queries(tmp_path_factory.mktemp("statistics"))


@pytest.fixture()
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    with duckdb.connect() as connection:
        yield connection


def run(con: duckdb.DuckDBPyConnection, query: str, **tables: pd.DataFrame) -> pd.DataFrame:
    for name, frame in tables.items():
        con.register(f"{name}_frame", frame)
        con.execute(f"create or replace table {name} as select * from {name}_frame")
    return con.sql(query).df()


def experiments_frame(cases: list[tuple[int, int, int, int]]) -> pd.DataFrame:
    frame = pd.DataFrame(cases, columns=["x1", "n1", "x0", "n0"]).astype("int64")
    frame.insert(0, "case_id", range(len(frame)))
    return frame


def random_cases(count: int) -> list[tuple[int, int, int, int]]:
    rng = np.random.default_rng(SEED)
    cases = []
    for _ in range(count):
        n1, n0 = (int(value) for value in rng.integers(1, 5000, 2))
        p1, p0 = rng.random(2)
        cases.append((int(rng.binomial(n1, p1)), n1, int(rng.binomial(n0, p0)), n0))
    return cases


def test_the_normal_tail_matches_scipy(sql: dict[str, str], con: duckdb.DuckDBPyConnection) -> None:
    points = pd.DataFrame({"x": np.concatenate([np.linspace(-40, 40, 8001), [0.0, 7.07106781186547, 37.0, 37.5]])})
    got = run(con, sql["tail"], points=points)
    exact = norm.sf(np.abs(got["x"]))
    inside = got["x"].abs() <= 37
    relative = np.abs(got["tail"][inside] - exact[inside]) / exact[inside]
    assert relative.max() < 1e-8
    assert (got["tail"][~inside] == 0).all()
    assert np.abs(got["cdf"] - norm.cdf(got["x"])).max() < 1e-8


def test_newcombe_interval_matches_statsmodels(sql: dict[str, str], con: duckdb.DuckDBPyConnection) -> None:
    cases = EDGE_CASES + random_cases(600)
    got = run(con, sql["lift"], experiments=experiments_frame(cases)).set_index("case_id").sort_index()
    for case_id, (x1, n1, x0, n0) in enumerate(cases):
        low, high = confint_proportions_2indep(x1, n1, x0, n0, method="newcomb", compare="diff", alpha=0.05)
        row = got.loc[case_id]
        assert row["low"] == pytest.approx(low, abs=1e-12), (x1, n1, x0, n0)
        assert row["high"] == pytest.approx(high, abs=1e-12), (x1, n1, x0, n0)
        assert -1 - 1e-12 <= row["low"] <= x1 / n1 - x0 / n0 <= row["high"] <= 1 + 1e-12


def test_p_value_matches_the_pooled_z_test_of_statsmodels(sql: dict[str, str], con: duckdb.DuckDBPyConnection) -> None:
    cases = EDGE_CASES + random_cases(600)
    got = run(con, sql["lift"], experiments=experiments_frame(cases)).set_index("case_id").sort_index()
    undefined = 0
    for case_id, (x1, n1, x0, n0) in enumerate(cases):
        with np.errstate(invalid="ignore", divide="ignore"):
            z, p_value = proportions_ztest([x1, x0], [n1, n0], alternative="two-sided")
        row = got.loc[case_id]
        if math.isnan(p_value):
            # nobody or everybody converted in both groups: statsmodels divides 0 by 0; no difference to test
            assert x1 + x0 in (0, n1 + n0)
            assert (row["z"], row["p_value"]) == (0.0, 1.0)
            undefined += 1
            continue
        assert row["z"] == pytest.approx(z, rel=1e-9, abs=1e-12), (x1, n1, x0, n0)
        assert row["p_value"] == pytest.approx(p_value, rel=1e-7, abs=1e-15), (x1, n1, x0, n0)
    assert undefined >= 4  # the edge cases' all-or-nothing pairs


def test_an_empty_group_has_no_interval_and_no_test(sql: dict[str, str], con: duckdb.DuckDBPyConnection) -> None:
    got = run(con, sql["lift"], experiments=experiments_frame([(0, 0, 3, 10), (3, 10, 0, 0), (0, 0, 0, 0)]))
    assert got[["low", "high", "z", "p_value"]].isna().all().all()


def design_frame(designs: list[tuple[int, int, float]]) -> pd.DataFrame:
    frame = pd.DataFrame(designs, columns=["n1", "n0", "p0"])
    frame.insert(0, "design_id", range(len(frame)))
    return frame


MDE_DESIGNS = [
    (1000, 1000, 0.05),
    (1000, 1000, 0.20),
    (5000, 500, 0.05),
    (5000, 500, 0.20),
    (500, 5000, 0.20),
    (200, 50, 0.5),
    (26, 10, 0.6),
    (1000, 1000, 0.0),
    (100_000, 100_000, 0.01),
    (400, 400, 0.90),
]


def test_minimum_detectable_lift_has_80_percent_power_by_statsmodels(
    sql: dict[str, str], con: duckdb.DuckDBPyConnection
) -> None:
    got = run(con, sql["mde"], designs=design_frame(MDE_DESIGNS)).set_index("design_id").sort_index()
    for design_id, (n1, n0, p0) in enumerate(MDE_DESIGNS):
        lift = got.loc[design_id, "minimum_detectable_lift"]
        assert 0 < lift < 1 - p0, (n1, n0, p0)
        power = power_proportions_2indep(lift, p0, n1, ratio=n0 / n1, alpha=0.05).power
        assert power == pytest.approx(0.8, abs=1e-6), (n1, n0, p0)


@pytest.mark.parametrize(
    ("n1", "n0", "p0"), [(1000, 1000, 0.20), (2000, 2000, 0.10), (5000, 500, 0.05), (5000, 500, 0.20)]
)
def test_minimum_detectable_lift_inverts_the_equal_groups_formula_and_statsmodels(
    sql: dict[str, str], con: duckdb.DuckDBPyConnection, n1: int, n0: int, p0: float
) -> None:
    lift = run(con, sql["mde"], designs=design_frame([(n1, n0, p0)]))["minimum_detectable_lift"][0]
    if n1 == n0:
        # Fleiss's sample size per group for two equal groups (Statistical Methods for Rates and Proportions,
        # 3rd ed., 2003, eq. 4.14 without the continuity correction), written here from the formula
        z_a, z_b = norm.isf(0.025), norm.isf(0.2)
        p1 = p0 + lift
        mean = (p0 + p1) / 2
        n = (z_a * math.sqrt(2 * mean * (1 - mean)) + z_b * math.sqrt(p1 * (1 - p1) + p0 * (1 - p0))) ** 2 / lift**2
        # the formula ignores the far tail's tiny share of the power, so it asks for a hair more
        assert n == pytest.approx(n1, rel=1e-4)
    power = power_proportions_2indep(lift, p0, n1, ratio=n0 / n1).power
    assert power == pytest.approx(0.8, abs=1e-6)


def test_minimum_detectable_lift_is_null_where_no_lift_reaches_80_percent_power(
    sql: dict[str, str], con: duckdb.DuckDBPyConnection
) -> None:
    designs = [(3, 3, 0.5), (40, 40, 0.95), (1000, 1000, 1.0), (0, 100, 0.2), (100, 0, 0.2), (2, 1, 0.0)]
    got = run(con, sql["mde"], designs=design_frame(designs))
    # the macro keeps only the designs it can measure; the others have no row and read as null in the mart
    measured = set(got["design_id"]) if not got.empty else set()
    for design_id, (n1, n0, p0) in enumerate(designs):
        if n1 > 0 and n0 > 0 and p0 < 1:
            assert design_id in measured
            assert pd.isna(got.set_index("design_id").loc[design_id, "minimum_detectable_lift"])
            # even a lift to a 100 % conversion rate falls short of 80 % power
            assert power_proportions_2indep(1 - p0 - 1e-9, p0, n1, ratio=n0 / n1).power < 0.8
        else:
            assert design_id not in measured


def simulated(scenario_sizes: tuple[int, int], rate: float, uplift: float, rng: np.random.Generator) -> pd.DataFrame:
    n1, n0 = scenario_sizes
    x1 = rng.binomial(n1, rate + uplift, EXPERIMENTS)
    x0 = rng.binomial(n0, rate, EXPERIMENTS)
    return experiments_frame([(int(a), n1, int(b), n0) for a, b in zip(x1, x0, strict=True)])


@pytest.mark.parametrize(("sizes", "rate", "uplift"), SCENARIOS)
def test_the_interval_covers_the_true_lift_95_percent_of_the_time(
    sql: dict[str, str], con: duckdb.DuckDBPyConnection, sizes: tuple[int, int], rate: float, uplift: float
) -> None:
    rng = np.random.default_rng([SEED, *sizes, round(rate * 100), round(uplift * 100)])
    got = run(con, sql["lift"], experiments=simulated(sizes, rate, uplift, rng))
    assert len(got) == EXPERIMENTS
    covered = ((got["low"] <= uplift) & (uplift <= got["high"])).mean()
    assert 0.93 <= covered <= 0.97, covered
    if uplift == 0:
        # under no effect the test rejects about 5 % of the time
        assert 0.03 <= (got["p_value"] < 0.05).mean() <= 0.07


@pytest.mark.parametrize(("n1", "n0", "p0"), [(1000, 1000, 0.05), (1000, 1000, 0.20), (5000, 500, 0.05)])
def test_the_test_has_80_percent_power_at_the_minimum_detectable_lift(
    sql: dict[str, str], con: duckdb.DuckDBPyConnection, n1: int, n0: int, p0: float
) -> None:
    lift = float(run(con, sql["mde"], designs=design_frame([(n1, n0, p0)]))["minimum_detectable_lift"][0])
    rng = np.random.default_rng([SEED, n1, n0, round(p0 * 100)])
    got = run(con, sql["lift"], experiments=simulated((n1, n0), p0, lift, rng))
    power = (got["p_value"] < 0.05).mean()
    # 4,000 experiments: a standard error of 0.6 points around 80 %
    assert 0.77 <= power <= 0.83, (lift, power)


def test_incremental_revenue_interval_matches_welch_by_statsmodels(
    sql: dict[str, str], con: duckdb.DuckDBPyConnection
) -> None:
    rng = np.random.default_rng(SEED)
    rows: list[dict[str, Any]] = []
    expected = []
    for case_id, (n1, n0) in enumerate([(2, 2), (50, 10), (1000, 100), (300, 300), (5000, 500)]):
        treated = np.round(rng.gamma(0.5, 80.0, n1) * (rng.random(n1) < 0.6), 2)
        held = np.round(rng.gamma(0.5, 70.0, n0) * (rng.random(n0) < 0.6), 2)
        rows.append(
            {
                "case_id": case_id,
                "mean1": treated.mean(),
                "var1": treated.var(ddof=1),
                "n1": n1,
                "mean0": held.mean(),
                "var0": held.var(ddof=1),
                "n0": n0,
            }
        )
        low, high = CompareMeans(DescrStatsW(treated), DescrStatsW(held)).zconfint_diff(alpha=0.05, usevar="unequal")
        expected.append((low * n1, high * n1))
    rows.append({"case_id": 99, "mean1": 5.0, "var1": None, "n1": 1, "mean0": 4.0, "var0": 1.0, "n0": 10})
    got = run(con, sql["revenue"], revenues=pd.DataFrame(rows)).set_index("case_id")
    for case_id, (low, high) in enumerate(expected):
        assert got.loc[case_id, "low"] == pytest.approx(low, rel=1e-9)
        assert got.loc[case_id, "high"] == pytest.approx(high, rel=1e-9)
    assert got.loc[99].isna().all()
