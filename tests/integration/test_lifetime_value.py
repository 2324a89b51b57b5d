"""Cohorts (docs/rules/cohorts.md) and lifetime value (sections 13 and 16) built by dbt: the warehouse against an
independent reading of the spec (reference_clv.py), the predictions against lifetimes 0.11.3 for every customer,
clv_validation against a plain-Python scoring of the holdout, and the null rules of every fit status.

The test sample's generator plants behaviour that need not identify the models (today nobody leaves, so the
BG/NBD is degenerate on every date), so the figures of fits that are ok are checked on worlds drawn from known
parameters (clv_worlds.py), one per status: both fits ok; nobody leaving (BG/NBD degenerate); spend whose mean does
not exist (Gamma-Gamma degenerate). A date before the first purchase has both fits failed.
"""

from __future__ import annotations

import bisect
import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from lifetimes import BetaGeoFitter, GammaGammaFitter

from integration import clv_worlds, reference, reference_clv
from integration.harness import PROJECT_DIR, SAMPLE_AS_OF, Warehouse, assert_succeeded
from segmentation.clv import bg_nbd, intervals, lifetime_value
from segmentation.clv.bg_nbd import BgNbdParams
from segmentation.clv.gamma_gamma import GammaGammaParams

WORLD_AS_OF = dt.date(2025, 6, 30)
WORLD_START = dt.date(2023, 7, 1)
HOLDOUT_DAYS = 180  # the var's default
# Needing a fit of the BG/NBD, of the Gamma-Gamma (docs/lifetime-value.md, "When a fit is not ok").
BG_NBD_COLUMNS = (
    "probability_alive",
    "churn_probability",
    "expected_purchases_365d",
    "expected_purchases_365d_low",
    "expected_purchases_365d_high",
    "predicted_ltv_1year",
    "predicted_ltv_1year_low",
    "predicted_ltv_1year_high",
    "predicted_ltv_3year",
    "predicted_ltv_5year",
    "risk_score",
    "growth_potential",
)
GAMMA_GAMMA_COLUMNS = (
    "expected_avg_order_value",
    "predicted_ltv_1year",
    "predicted_ltv_1year_low",
    "predicted_ltv_1year_high",
    "predicted_ltv_3year",
    "predicted_ltv_5year",
    "confidence_score",
)
BOTH_COLUMNS = (*(name for name in BG_NBD_COLUMNS if name in GAMMA_GAMMA_COLUMNS), "growth_potential")


def build_world(tmp_path_factory: pytest.TempPathFactory, name: str, world: clv_worlds.World, months: int) -> Warehouse:
    work = tmp_path_factory.mktemp(name)
    warehouse = Warehouse(clv_worlds.write(world, work / "raw"), work / "warehouse.duckdb", work)
    run = warehouse.dbt(
        "build",
        "--select",
        "+customer_lifetime_value",
        "+clv_validation",
        as_of=WORLD_AS_OF,
        variables={"backfill_months": months},
        label=f"dbt build of the lifetime-value models, world {name} ({world.customers:,} customers)",
    )
    assert_succeeded(run)
    return warehouse


@pytest.fixture(scope="module")
def world_ok(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    """Customers who leave, and spend that varies: both fits ok on the three recorded month-ends."""
    return build_world(tmp_path_factory, "ok", clv_worlds.World(1500, 1, WORLD_START, WORLD_AS_OF), 3)


@pytest.fixture(scope="module")
def world_no_dropout(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    """Nobody ever leaves: the BG/NBD is degenerate (a → 0); the spend model is ok."""
    world = clv_worlds.World(1500, 2, WORLD_START, WORLD_AS_OF, dropout=False)
    return build_world(tmp_path_factory, "no_dropout", world, 0)


@pytest.fixture(scope="module")
def world_wild_spend(tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    """Customers' mean spends drawn with q = 0.7: the Gamma-Gamma is degenerate (q ≤ 1); the BG/NBD is ok."""
    return build_world(tmp_path_factory, "wild_spend", clv_worlds.World(1500, 3, WORLD_START, WORLD_AS_OF, q=0.7), 0)


@pytest.fixture(scope="module")
def clean(built: Warehouse) -> reference.CleanInput:
    return reference.clean(built.raw_dir)


def recorded_dates(built: Warehouse) -> list[dt.date]:
    return [row[0] for row in built.query("select as_of_date from customer_segment_snapshot_dates order by 1")]


def fits_of(warehouse: Warehouse) -> dict[dt.date, dict[str, Any]]:
    return {row["as_of_date"]: row for row in warehouse.query_dicts("select * from clv_model_fits")}


# --- cohorts and the inputs, on the sample ---------------------------------------------------------------------


def test_cohort_retention_matches_the_reference(built: Warehouse, clean: reference.CleanInput) -> None:
    expected = reference_clv.cohort_retention(clean, SAMPLE_AS_OF)
    rows = built.query_dicts("select * from cohort_retention")
    actual = {(row["cohort_month"], row["months_since_signup"]): row for row in rows}
    assert actual.keys() == expected.keys()
    differing = []
    for key, want in expected.items():
        got = actual[key]
        fields = (
            "period_month",
            "cohort_size",
            "active_customers",
            "retention_rate",
            "revenue",
            "cumulative_revenue_per_customer",
            "is_complete",
        )
        if any(got[name] != getattr(want, name) for name in fields):
            differing.append((key, {name: (got[name], getattr(want, name)) for name in fields}))
    assert not differing, differing[:3]
    assert {key: row.get("is_observed") for key, row in actual.items()} == {
        key: want.is_observed for key, want in expected.items()
    }
    # the sample's as-of date is a month-end: its month is complete, and there are zero rows to fill
    assert all(row["is_complete"] for row in rows)
    # the sample's customers signed up years before its transaction history starts: both kinds of month occur
    assert {row["is_observed"] for row in rows} == {True, False}


def test_cohorts_and_members_cover_every_customer_signed_up_by_the_as_of_date(
    built: Warehouse, clean: reference.CleanInput
) -> None:
    signed_up = {c.customer_id: c.signup_date for c in clean.customers.values() if c.signup_date <= SAMPLE_AS_OF}
    members = built.query("select cohort_id, customer_id, joined_at from cohort_members")
    assert len(members) == 2 * len(signed_up)
    for cohort_id, customer_id, joined_at in members:
        signup = signed_up[customer_id]
        assert joined_at == signup
        quarter = (signup.month - 1) // 3 + 1
        assert cohort_id in (f"{signup.year}-{signup.month:02d}", f"{signup.year}-Q{quarter}")
    cohorts = built.query_dicts("select * from cohorts")
    counts = {row["cohort_id"]: row["member_count"] for row in cohorts}
    assert sum(counts.values()) == len(members)
    quarter_names = {row["cohort_name"] for row in cohorts if row["cohort_period"] == "quarter"}
    assert "Q2 2025 Acquisition" in quarter_names


def test_inputs_match_the_reference_on_every_recorded_date(built: Warehouse, clean: reference.CleanInput) -> None:
    for as_of in recorded_dates(built):
        expected = reference_clv.purchase_inputs(clean, as_of)
        rows = built.query(
            "select customer_id, frequency, recency, t, monetary_value from intermediate.int_customers_summarized"
            f" where as_of_date = '{as_of}'"
        )
        actual = {row[0]: reference_clv.PurchaseInputs(*row[1:]) for row in rows}
        assert actual == expected, as_of


def test_calibration_inputs_match_the_reference_on_every_recorded_date(
    built: Warehouse, clean: reference.CleanInput
) -> None:
    dates = recorded_dates(built)
    first_purchase = min(t.transaction_date for t in clean.transactions if t.amount > 0)
    for as_of in dates:
        expected = reference_clv.calibration_inputs(clean, as_of, HOLDOUT_DAYS)
        rows = built.query(
            "select customer_id, calibration_end_date, frequency, recency, t, monetary_value, holdout_purchase_days"
            f" from intermediate.int_customers_calibrated where as_of_date = '{as_of}'"
        )
        actual = {
            row[0]: reference_clv.CalibrationInputs(row[1], reference_clv.PurchaseInputs(*row[2:6]), row[6])
            for row in rows
        }
        assert actual == expected, as_of
        # a date has a calibration period exactly when a purchase day falls in it
        assert bool(actual) == (first_purchase <= as_of - dt.timedelta(days=HOLDOUT_DAYS))


# --- statuses and their nulls ----------------------------------------------------------------------------------


def assert_predictions_follow_status(warehouse: Warehouse) -> set[tuple[str, str]]:
    """Every row of customer_lifetime_value against its date's statuses; the status pairs seen."""
    fits = fits_of(warehouse)
    rows = warehouse.query_dicts("select * from customer_lifetime_value")
    assert rows
    for row in rows:
        fit = fits[row["as_of_date"]]
        bg_ok, gg_ok = fit["bg_nbd_status"] == "ok", fit["gamma_gamma_status"] == "ok"
        assert row["model_status"] == ("ok" if bg_ok and gg_ok else fit["status_reason"]), row
        purchased = row["frequency"] is not None
        for column in BG_NBD_COLUMNS:
            if not bg_ok or not purchased:
                assert row[column] is None, (column, row)
        for column in GAMMA_GAMMA_COLUMNS:
            if not gg_ok or not purchased:
                assert row[column] is None, (column, row)
        if purchased and bg_ok:
            assert row["probability_alive"] is not None and row["expected_purchases_365d_low"] is not None, row
        if purchased and gg_ok:
            assert row["expected_avg_order_value"] is not None and row["confidence_score"] is not None, row
        if purchased and bg_ok and gg_ok:
            assert all(row[column] is not None for column in BOTH_COLUMNS), row
    return {(fit["bg_nbd_status"], fit["gamma_gamma_status"]) for fit in fits.values()}


def test_both_fits_ok_give_every_figure_with_standard_errors(world_ok: Warehouse) -> None:
    fits = fits_of(world_ok)
    assert sorted(fits) == [dt.date(2025, 4, 30), dt.date(2025, 5, 31), WORLD_AS_OF]
    for fit in fits.values():
        assert (fit["bg_nbd_status"], fit["gamma_gamma_status"], fit["status_reason"]) == ("ok", "ok", None)
        assert fit["bg_nbd_converged"] and fit["gamma_gamma_converged"]
        assert len(fit["bg_nbd_log_covariance"]) == 16 and len(fit["gamma_gamma_log_covariance"]) == 9
        for name, index in (("r", 0), ("alpha", 5), ("a", 10), ("b", 15)):
            log_se = np.sqrt(fit["bg_nbd_log_covariance"][index])
            assert fit[f"{name}_se"] == pytest.approx(fit[name] * log_se, rel=1e-12)
        for name, index in (("p", 0), ("q", 4), ("v", 8)):
            assert fit[f"{name}_se"] == pytest.approx(fit[name] * np.sqrt(fit["gamma_gamma_log_covariance"][index]))
    assert assert_predictions_follow_status(world_ok) == {("ok", "ok")}


def test_nobody_leaving_nulls_the_purchase_figures_only(world_no_dropout: Warehouse) -> None:
    (fit,) = fits_of(world_no_dropout).values()
    assert (fit["bg_nbd_status"], fit["gamma_gamma_status"]) == ("degenerate", "ok")
    assert fit["status_reason"].startswith("BG/NBD degenerate: a = ") and "Gamma-Gamma" not in fit["status_reason"]
    assert fit["a"] < 1e-6 and fit["a_se"] is None and fit["bg_nbd_log_covariance"] is None
    assert fit["p_se"] is not None
    assert assert_predictions_follow_status(world_no_dropout) == {("degenerate", "ok")}
    counts = world_no_dropout.query(
        "select count(frequency), count(expected_avg_order_value), count(probability_alive)"
        " from customer_lifetime_value"
    )
    assert counts[0][0] == counts[0][1] > 0 and counts[0][2] == 0


def test_spend_without_a_mean_nulls_the_spend_figures_only(world_wild_spend: Warehouse) -> None:
    (fit,) = fits_of(world_wild_spend).values()
    assert (fit["bg_nbd_status"], fit["gamma_gamma_status"]) == ("ok", "degenerate")
    assert (
        fit["status_reason"]
        == f"Gamma-Gamma degenerate: q = {fit['q']:.3g} not above 1 (the population mean spend does not exist)"
    )
    assert assert_predictions_follow_status(world_wild_spend) == {("ok", "degenerate")}
    counts = world_wild_spend.query(
        "select count(frequency), count(probability_alive), count(expected_purchases_365d_high),"
        " count(expected_avg_order_value), count(predicted_ltv_1year) from customer_lifetime_value"
    )
    assert counts[0][0] == counts[0][1] == counts[0][2] > 0 and counts[0][3:] == (0, 0)


def test_the_sample_follows_the_rules_whatever_its_statuses(built: Warehouse) -> None:
    """The sample's generator decides its statuses (degenerate BG/NBD today); the rules hold for whichever."""
    seen = assert_predictions_follow_status(built)
    assert seen
    missing = built.query(
        """
        select customer_id, as_of_date from intermediate.int_customers_windowed
        except
        select customer_id, as_of_date from customer_lifetime_value
        """
    )
    assert missing == []


def test_a_date_without_a_fit_says_so_and_keeps_the_recorded_history(
    built: Warehouse, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """As of the day before the first transaction nobody has bought: both fits fail, no other date's fit stands in,
    the warning test names the date, the customers get no predictions and model_status says why, and the dates
    recorded before stay as they were (the marts are incremental, like the segment history)."""
    warehouse = built.copy(tmp_path_factory.mktemp("clv_no_fit"))
    before = warehouse.query_dicts("select * from clv_model_fits order by as_of_date")
    validation_before = warehouse.query("select * from clv_validation order by all")
    (first_day,) = warehouse.query("select min(transaction_date) from intermediate.int_transactions_matched")[0]
    as_of = first_day - dt.timedelta(days=1)
    run = warehouse.dbt(
        "build",
        "--select",
        "+customer_lifetime_value",
        "+clv_validation",
        as_of=as_of,
        # the delivery is months "late" for this date; its gate is not what this test is about
        variables={"max_delivery_lag_days": 100_000},
    )
    statuses = {node.split(".")[2]: status for node, status in run.statuses().items()}
    assert statuses["clv_model_fits"] == statuses["customer_lifetime_value"] == "success", run.output[-3000:]
    assert statuses["clv_validation"] == "success"
    assert statuses["clv_fits_ok"] == "warn"
    assert statuses["assert_clv_predictions_follow_fit_status"] == "pass"
    assert f"the BG/NBD fit as of {as_of} is failed (no customers to fit)" in run.output
    fits = warehouse.query_dicts("select * from clv_model_fits order by as_of_date")
    assert fits[1:] == before
    new = fits[0]
    assert new["as_of_date"] == as_of and new["customers"] == 0
    assert (new["bg_nbd_status"], new["gamma_gamma_status"]) == ("failed", "failed")
    assert not new["bg_nbd_converged"] and not new["gamma_gamma_converged"]
    assert new["r"] is None and new["p"] is None and new["r_se"] is None
    assert new["status_reason"] == "BG/NBD failed: no customers to fit | Gamma-Gamma failed: no repeat customers to fit"
    rows = warehouse.query(
        "select count(*), count(probability_alive), count(growth_potential), count(expected_avg_order_value),"
        " count(distinct model_status), min(model_status)"
        f" from customer_lifetime_value where as_of_date = '{as_of}'"
    )
    assert rows[0][0] > 0 and rows[0][1:5] == (0, 0, 0, 1) and rows[0][5] == new["status_reason"]
    assert warehouse.query("select count(distinct as_of_date) from customer_lifetime_value")[0][0] == len(fits)
    # no calibration period before the first purchase: no validation rows for the date, the others kept
    assert warehouse.query("select * from clv_validation order by all") == validation_before


# --- figures of fits that are ok, on the world ---------------------------------------------------------------


def inputs_of(warehouse: Warehouse, as_of: dt.date) -> tuple[list[dict[str, Any]], lifetime_value.Inputs]:
    rows = warehouse.query_dicts(
        "select inputs.customer_id, inputs.frequency, inputs.recency, inputs.t, inputs.monetary_value, mart.*"
        " exclude (customer_id, as_of_date, frequency, recency, t, monetary_value)"
        " from intermediate.int_customers_summarized as inputs"
        " inner join customer_lifetime_value as mart using (customer_id, as_of_date)"
        f" where inputs.as_of_date = '{as_of}' order by inputs.customer_id"
    )
    data = lifetime_value.Inputs(
        np.array([row["frequency"] for row in rows], dtype=float),
        np.array([row["recency"] for row in rows], dtype=float),
        np.array([row["t"] for row in rows], dtype=float),
        np.array([float(row["monetary_value"]) if row["monetary_value"] is not None else np.nan for row in rows]),
    )
    return rows, data


def params_of(fit: dict[str, Any]) -> tuple[BgNbdParams, GammaGammaParams]:
    return BgNbdParams(fit["r"], fit["alpha"], fit["a"], fit["b"]), GammaGammaParams(fit["p"], fit["q"], fit["v"])


def test_predictions_agree_with_lifetimes_for_every_customer(world_ok: Warehouse) -> None:
    """Each date's recorded parameters give, in lifetimes (an independent implementation), the mart's figures: to
    1e-6 before rounding, then rounded as the mart rounds them."""
    for as_of, fit in fits_of(world_ok).items():
        rows, data = inputs_of(world_ok, as_of)
        bg, gg = params_of(fit)
        theirs_bg = BetaGeoFitter()
        theirs_bg.params_ = {"r": bg.r, "alpha": bg.alpha, "a": bg.a, "b": bg.b}
        theirs_gg = GammaGammaFitter()
        theirs_gg.params_ = {"p": gg.p, "q": gg.q, "v": gg.v}
        x, t_x, big_t, m = data.frequency, data.recency, data.t, data.monetary_value
        alive = theirs_bg.conditional_probability_alive(x, t_x, big_t)
        purchases = theirs_bg.conditional_expected_number_of_purchases_up_to_time(365.0, x, t_x, big_t)
        repeat = x > 0
        spend = np.full(x.shape, gg.p * gg.v / (gg.q - 1))
        spend[repeat] = theirs_gg.conditional_expected_average_profit(x[repeat], m[repeat])
        for row, want_alive, want_purchases, want_spend in zip(rows, alive, purchases, spend, strict=True):
            assert abs(float(row["probability_alive"]) - want_alive) <= 0.00005 + 1e-6, row
            assert abs(float(row["expected_purchases_365d"]) - want_purchases) <= 0.00005 + 1e-6, row
            assert abs(float(row["expected_avg_order_value"]) - want_spend) <= 0.005 + 1e-6, row
            assert abs(float(row["predicted_ltv_1year"]) - want_purchases * want_spend) <= 0.005 + 1e-5, row
            assert row["churn_probability"] == 1 - row["probability_alive"]


def test_one_purchase_customers_get_the_population_mean_and_no_confidence(world_ok: Warehouse) -> None:
    for as_of, fit in fits_of(world_ok).items():
        rows = world_ok.query(
            "select distinct expected_avg_order_value, confidence_score from customer_lifetime_value"
            f" where as_of_date = '{as_of}' and frequency = 0"
        )
        population_mean = Decimal(str(round(fit["p"] * fit["v"] / (fit["q"] - 1), 2)))
        assert rows == [(population_mean, Decimal("0.0000"))], as_of


def test_intervals_are_the_seeded_draws_of_the_recorded_covariance(world_ok: Warehouse) -> None:
    """The mart's intervals are those segmentation.clv.intervals draws from each date's recorded estimate and
    covariance; they bracket the estimate, and widen where a customer's figures rest on less data."""
    bg_normals, gg_normals = intervals.standard_normals()
    for as_of, fit in fits_of(world_ok).items():
        rows, data = inputs_of(world_ok, as_of)
        bg, gg = params_of(fit)
        expected = intervals.intervals(
            intervals.bg_nbd_draws(bg, np.reshape(fit["bg_nbd_log_covariance"], (4, 4)), bg_normals),
            intervals.gamma_gamma_draws(gg, np.reshape(fit["gamma_gamma_log_covariance"], (3, 3)), gg_normals),
            data.frequency,
            data.recency,
            data.t,
            data.monetary_value,
            0.0,
        )
        got = {
            name: np.array([float(row[name]) for row in rows])
            for name in (
                "expected_purchases_365d_low",
                "expected_purchases_365d_high",
                "predicted_ltv_1year_low",
                "predicted_ltv_1year_high",
                "expected_purchases_365d",
                "predicted_ltv_1year",
            )
        }
        np.testing.assert_allclose(got["expected_purchases_365d_low"], expected.expected_purchases_low, atol=5.1e-5)
        np.testing.assert_allclose(got["expected_purchases_365d_high"], expected.expected_purchases_high, atol=5.1e-5)
        np.testing.assert_allclose(got["predicted_ltv_1year_low"], expected.predicted_ltv_low, atol=5.1e-3)
        np.testing.assert_allclose(got["predicted_ltv_1year_high"], expected.predicted_ltv_high, atol=5.1e-3)
        inside = (got["predicted_ltv_1year_low"] <= got["predicted_ltv_1year"]) & (
            got["predicted_ltv_1year"] <= got["predicted_ltv_1year_high"]
        )
        assert inside.mean() > 0.99, as_of


def test_growth_potential_is_the_third_of_predicted_value_among_customers_with_a_prediction(
    world_ok: Warehouse,
) -> None:
    rows = world_ok.query(
        "select as_of_date, predicted_ltv_1year, growth_potential from customer_lifetime_value"
        " where predicted_ltv_1year is not null"
    )
    by_date: dict[dt.date, list[tuple[Decimal, str]]] = {}
    for as_of, value, third in rows:
        by_date.setdefault(as_of, []).append((value, third))
    assert len(by_date) == 3
    thirds = ("low", "medium", "high")

    def third_of(share: float) -> int:
        return 0 if share <= 1 / 3 else 1 if share <= 2 / 3 else 2

    for as_of, values in by_date.items():
        ordered = sorted(value for value, _ in values)
        for value, third in values:
            # ceil(3 * cume_dist()) on the exact value: read from values rounded to the cent, the customer's share of
            # the date's customers at or below it lies between the first and the last of the customers sharing its
            # rounded value (customers who will hardly buy again share values such as 0.09)
            lowest = third_of((bisect.bisect_left(ordered, value) + 1) / len(ordered))
            highest = third_of(bisect.bisect_right(ordered, value) / len(ordered))
            assert third in thirds[lowest : highest + 1], (as_of, value, third)
        # and a higher value never has a lower third
        ranks = [rank for _, rank in sorted((value, thirds.index(third)) for value, third in values)]
        assert ranks == sorted(ranks), as_of
    assert {third for values in by_date.values() for _, third in values} == set(thirds)


def test_validation_matches_an_independent_scoring_of_the_holdout(world_ok: Warehouse) -> None:
    """Per recorded date: the calibration inputs and holdout purchase days read from the raw files in plain Python
    (reference_clv.py), the BG/NBD fitted on them (segmentation.clv's fit, checked against lifetimes and the
    published CDNOW fits elsewhere), the holdout predicted by lifetimes, and deciles, error, bias and AUC counted
    in plain Python: the mart's rows, to 1e-6."""
    clean = reference.clean(world_ok.raw_dir)
    mart = world_ok.query_dicts("select * from clv_validation order by as_of_date, decile nulls last")
    by_date: dict[dt.date, list[dict[str, Any]]] = {}
    for row in mart:
        by_date.setdefault(row["as_of_date"], []).append(row)
    assert sorted(by_date) == [dt.date(2025, 4, 30), dt.date(2025, 5, 31), WORLD_AS_OF]
    for as_of, rows in by_date.items():
        calibration = reference_clv.calibration_inputs(clean, as_of, HOLDOUT_DAYS)
        ids = sorted(calibration)
        x, t_x, big_t = (
            np.array([float(getattr(calibration[c].inputs, name)) for c in ids])
            for name in ("frequency", "recency", "t")
        )
        fitted = bg_nbd.fit(x, t_x, big_t)
        assert fitted.status == "ok"
        theirs = BetaGeoFitter()
        theirs.params_ = vars(fitted.params)
        predicted = theirs.conditional_expected_number_of_purchases_up_to_time(float(HOLDOUT_DAYS), x, t_x, big_t)
        alive = theirs.conditional_probability_alive(x, t_x, big_t)
        expected = reference_clv.holdout_rows(
            dict(zip(ids, map(float, predicted), strict=True)),
            {c: calibration[c].holdout_purchase_days for c in ids},
            dict(zip(ids, map(float, alive), strict=True)),
        )
        assert len(rows) == len(expected) == 11, as_of
        for row, want in zip(rows, expected, strict=True):
            assert row["calibration_end_date"] == as_of - dt.timedelta(days=HOLDOUT_DAYS)
            assert (row["bg_nbd_status"], row["gamma_gamma_status"], row["status_reason"]) == ("ok", "ok", None)
            assert (row["decile"], row["customers"]) == (want.decile, want.customers)
            for name in (
                "predicted_purchases",
                "actual_purchases",
                "mean_absolute_error",
                "bias_ratio",
                "alive_auc",
            ):
                wanted = getattr(want, name)
                assert row[name] == (pytest.approx(wanted, rel=1e-6) if wanted is not None else None), (name, row)
        overall = rows[-1]
        # the world's holdout is predicted about right: a check on the model as much as on the arithmetic
        assert 0.8 <= overall["bias_ratio"] <= 1.25 and overall["alive_auc"] > 0.7, overall


def test_validation_without_an_ok_calibration_fit_has_only_its_overall_row(built: Warehouse) -> None:
    rows = built.query_dicts("select * from clv_validation order by as_of_date, decile nulls last")
    assert rows
    for row in rows:
        if row["bg_nbd_status"] != "ok":
            assert row["decile"] is None and row["predicted_purchases"] is None and row["alive_auc"] is None
            assert row["status_reason"].startswith("BG/NBD ")
            assert row["customers"] > 0


# --- the declared columns ------------------------------------------------------------------------------------


def declared_columns() -> dict[str, list[tuple[str, str]]]:
    models = yaml.safe_load((PROJECT_DIR / "models" / "marts" / "clv" / "_clv__models.yml").read_text())["models"]
    return {
        model["name"]: [(column["name"], column["data_type"].replace(" ", "").upper()) for column in model["columns"]]
        for model in models
    }


def test_the_python_marts_have_exactly_their_declared_columns_and_types(built: Warehouse) -> None:
    """dbt enforces no contract on a Python model: the built tables are compared with the declarations here."""
    for name, declared in declared_columns().items():
        built_columns = [
            (column, data_type.replace(" ", "").upper())
            for column, data_type in built.query(
                "select column_name, data_type from information_schema.columns"
                f" where table_schema = 'main' and table_name = '{name}' order by ordinal_position"
            )
        ]
        assert built_columns == declared, name


def test_the_holdout_days_var_is_checked(built: Warehouse, tmp_path: Path) -> None:
    run = built.copy(tmp_path).dbt(
        "compile", "--select", "int_customers_calibrated", as_of=SAMPLE_AS_OF, variables={"clv_holdout_days": 0}
    )
    assert run.returncode != 0 and "var clv_holdout_days must be a whole number of days, 1 or more" in run.output
