"""User-defined segments on the test sample: the warehouse's memberships, customer by customer, against
an independent reading of docs/rules/user-segments.md (segment_reference.py); the catalog and memberships list them;
a bad definition stops `dbt build` naming the file, segment and key; the preview command answers from the
published file, read-only."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml

from dashboard import builder as dashboard_builder
from integration import segment_reference
from integration.harness import SAMPLE_AS_OF, SAMPLE_BACKFILL_MONTHS, Warehouse, assert_succeeded
from segmentation.project import PROJECT_DIR
from segmentation.segments import definitions, fields
from segmentation_tools.datagen.demo_segments import SEGMENTS_FILE

BACKFILLED = dt.date(2024, 12, 31)
DEFINITIONS: list[dict[str, Any]] = [
    {
        "id": "big_recent",
        "type": "dynamic",
        "criteria": {"total_spent": {"operator": "gte", "value": 40000}, "recency_days": 3},
    },
    {
        "id": "hotels_or_big_baskets",
        "type": "dynamic",
        "criteria": {
            "purchased_categories": ["Travel"],
            "any": [{"never_purchased_categories": [" HOTELS "]}, {"average_order_value": {"gt": 150}}],
        },
    },
    {
        "id": "chained",
        "type": "dynamic",
        "criteria": {
            "any": [{"in_segment": "dynamic/big_recent"}, {"in_segment": "rfm/champions"}],
            "not": {"customer_segment": {"operator": "eq", "value": "Budget-Conscious"}},
        },
    },
    {
        "id": "dates",
        "type": "dynamic",
        "criteria": {
            "registration_date": {"operator": "between", "start_date": "2019-01-01", "end_date": "2023-12-31"},
            "last_order_date": {"within_last_days": 2},
        },
    },
    {
        "id": "nulls",
        "type": "dynamic",
        "criteria": {
            "any": [
                {"spend_change_pct": {"lt": -20}},
                {"not": {"travel_spend_pct": {"operator": "gte", "value": 10}}},
            ]
        },
    },
    {
        "id": "shortcuts",
        "type": "dynamic",
        "criteria": {
            "min_frequency": 40,
            "min_monetary": 20000.5,
            "min_previous_purchases": 60,
            "tenure_months": {"operator": "between", "min_value": 12, "max_value": 60},
            "days_inactive": 1,
        },
    },
    {"id": "listed", "type": "static", "customer_ids": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 99999999]},
    {
        "id": "listed_not_hibernating",
        "type": "dynamic",
        "criteria": {"in_segment": "static/listed", "not_in_segment": ["rfm/hibernating", "dynamic/dates"]},
    },
    {"id": "drafted", "type": "dynamic", "status": "draft", "criteria": {"min_frequency": 0}},
    # checked against the transactions directly (test_products_bought_are_those_of_the_transactions)
    {"id": "products", "type": "dynamic", "criteria": {"purchased_products": [7, 105]}},
    {
        "id": "profile",
        "type": "dynamic",
        "criteria": {
            "any": [
                {"customer_type": "business"},
                {"location": {"states": ["ca", " TX", "NY"], "countries": ["united states"]}},
            ],
            "last_login": {"operator": "within_last_days", "days": 60},
        },
    },
]


# Lifetime-value columns as criteria (checked against customer_lifetime_value in test_lifetime_value_criteria_...):
# the model's inputs, never null for a customer with a purchase, and a prediction.
LIFETIME_VALUE_DEFINITIONS: list[dict[str, Any]] = [
    {
        "id": "clv_inputs",
        "type": "dynamic",
        "criteria": {"frequency": {"gte": 100}, "t": {"operator": "lte", "value": 500}},
    },
    {"id": "clv_predicted", "type": "dynamic", "criteria": {"predicted_ltv_1year": {"gte": 19000}}},
    {"id": "clv_not_predicted", "type": "dynamic", "criteria": {"not": {"predicted_ltv_1year": {"gte": 19000}}}},
]
# Every segment type of the catalog (docs/rules/catalog.md, docs/rules/user-segments.md and docs/rules/behaviour.md),
# written here rather than read from the project.
SEGMENT_TYPES = {"behavioral", "rfm", "lifecycle", "value", "engagement", "journey", "demographic", "static", "dynamic"}
# The user-defined ids the in_segment checks name, one of each type, from DEFINITIONS.
USER_IDS_REFERENCED = ("static/listed", "dynamic/big_recent")


def in_segment_slug(segment_id: str, negate: bool = False) -> str:
    return ("out_" if negate else "in_") + segment_id.replace("/", "__")


def in_segment_definitions(segment_ids: list[str]) -> list[dict[str, Any]]:
    """A dynamic segment per id that holds its members (in_segment), and for each type's first id one that holds the
    others (not_in_segment)."""
    entries: list[dict[str, Any]] = []
    negated_types: set[str] = set()
    for segment_id in segment_ids:
        entries.append({"id": in_segment_slug(segment_id), "type": "dynamic", "criteria": {"in_segment": segment_id}})
        segment_type = segment_id.split("/")[0]
        if segment_type not in negated_types:
            negated_types.add(segment_type)
            entries.append(
                {
                    "id": in_segment_slug(segment_id, True),
                    "type": "dynamic",
                    "criteria": {"not_in_segment": [segment_id]},
                }
            )
    return entries


def catalog_ids(warehouse: Warehouse) -> list[str]:
    """The built-in catalog's ids, as the build reads them for in_segment."""
    return [row[0] for row in warehouse.query("select segment_id from intermediate.int_segments_defined order by 1")]


def segmented_copy(built: Warehouse, work: Path, entries: list[dict[str, Any]]) -> Warehouse:
    """A copy of the sample's warehouse with these segments evaluated for every date of the build."""
    warehouse = built.copy(work)
    segments_file = work / "test_segments.yml"
    segments_file.write_text(yaml.safe_dump({"segments": entries}, sort_keys=False))
    run = warehouse.dbt(
        "run",
        "--select",
        "int_user_segments_compiled",
        "int_customers_user_segmented",
        as_of=SAMPLE_AS_OF,
        variables={"backfill_months": SAMPLE_BACKFILL_MONTHS, "segments_file": str(segments_file)},
    )
    assert_succeeded(run)
    return warehouse


@pytest.fixture(scope="module")
def user_segmented(built: Warehouse, tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    """DEFINITIONS, and in_segment / not_in_segment of every catalog id and of a user-defined id of each kind."""
    referenced = [*catalog_ids(built), *USER_IDS_REFERENCED]
    entries = [*DEFINITIONS, *in_segment_definitions(referenced)]
    return segmented_copy(built, tmp_path_factory.mktemp("user_segments"), entries)


@pytest.fixture(scope="module")
def lifetime_value_segmented(built: Warehouse, tmp_path_factory: pytest.TempPathFactory) -> Warehouse:
    """The lifetime-value definitions, apart: a build that refused them would otherwise hide every other check."""
    return segmented_copy(built, tmp_path_factory.mktemp("clv_segments"), LIFETIME_VALUE_DEFINITIONS)


@pytest.mark.parametrize("as_of", [SAMPLE_AS_OF, BACKFILLED], ids=str)
def test_memberships_match_an_independent_reading(
    user_segmented: Warehouse, sample_raw_dir: Path, as_of: dt.date
) -> None:
    rows = user_segmented.query(
        "select segment_id, customer_id from intermediate.int_customers_user_segmented"
        f" where as_of_date = date '{as_of.isoformat()}'"
    )
    got: dict[str, set[int]] = {}
    for segment_id, customer_id in rows:
        got.setdefault(segment_id, set()).add(customer_id)
    customers = segment_reference.figures(sample_raw_dir, as_of)
    # customers whose raw profile row the reference cannot read with certainty (repeated ids, dirty values)
    _, unsure = segment_reference.profile_fields(sample_raw_dir)
    evaluator = segment_reference.Evaluator(DEFINITIONS, as_of)
    differences = {}
    for definition in DEFINITIONS:
        if definition["id"] == "products":
            continue
        segment_id = f"{definition['type']}/{definition['id']}"
        want = {cid for cid, figures in customers.items() if evaluator.member(segment_id, figures)}
        have = got.get(segment_id, set())
        if definition["id"] == "profile":
            want, have = want - unsure, have - unsure
        if want != have:
            differences[segment_id] = (sorted(want - have)[:5], sorted(have - want)[:5])
        # a segment that tests nothing on this date would hide a difference
        assert definition.get("status") == "draft" or 0 < len(want) < len(customers), (segment_id, len(want))
    assert differences == {}


def test_the_catalog_and_memberships_list_user_segments(built: Warehouse) -> None:
    catalog = built.query_dicts(
        "select segment_id, segment_type, customer_count, criteria from segments"
        " where segment_type in ('static', 'dynamic') order by segment_id"
    )
    # the sample is built with the demo's definitions, written beside its raw files, as `make build` builds the demo
    example = {
        f"{s['type']}/{s['id']}": s for s in yaml.safe_load((built.raw_dir / SEGMENTS_FILE).read_text())["segments"]
    }
    assert {row["segment_id"] for row in catalog} == set(example)
    assert json.loads(next(r["criteria"] for r in catalog if r["segment_id"] == "static/vip_list"))["listed_ids"] == 21
    members = dict(built.query("select segment_id, count(*) from segment_members group by 1"))
    for row in catalog:
        assert row["customer_count"] == members.get(row["segment_id"], 0), row["segment_id"]
    # a year of history, with the source of each kind
    history = built.query(
        "select segment_type, source, count(distinct as_of_date) from segment_membership_snapshots"
        " where segment_type in ('static', 'dynamic') group by 1, 2 order by 1"
    )
    assert history == [("dynamic", "automatic", SAMPLE_BACKFILL_MONTHS), ("static", "import", SAMPLE_BACKFILL_MONTHS)]


def test_products_bought_are_those_of_the_transactions(user_segmented: Warehouse) -> None:
    """purchased_products on every recorded date: a positive transaction of the product on or before it."""
    segmented = user_segmented.query(
        "select as_of_date, customer_id from intermediate.int_customers_user_segmented"
        " where segment_id = 'dynamic/products' order by all"
    )
    direct = user_segmented.query(
        "select distinct dates.as_of_date, t.customer_id"
        " from (select distinct as_of_date from intermediate.int_customers_featured) as dates"
        " inner join intermediate.int_transactions_matched as t"
        "   on t.transaction_date <= dates.as_of_date and t.amount > 0 and t.product_id in (7, 105)"
        " order by all"
    )
    assert segmented == direct
    assert len({on for on, _ in direct}) == SAMPLE_BACKFILL_MONTHS


def test_unknown_static_ids_are_counted_and_never_members(user_segmented: Warehouse) -> None:
    assert user_segmented.query(
        "select count(*) from intermediate.int_customers_user_segmented where customer_id = 99999999"
    ) == [(0,)]


def test_a_bad_definition_stops_the_build_naming_file_segment_and_key(built: Warehouse, tmp_path: Path) -> None:
    warehouse = built.copy(tmp_path / "bad")
    bad = tmp_path / "bad_segments.yml"
    bad.write_text(
        "segments:\n  - id: oops\n    type: dynamic\n"
        "    criteria: {total_spent: {operator: gt, value: 'x; drop table segments'}}\n"
    )
    run = warehouse.dbt(
        "build",
        "--select",
        "int_user_segments_compiled+",
        as_of=SAMPLE_AS_OF,
        variables={"backfill_months": SAMPLE_BACKFILL_MONTHS, "segments_file": str(bad)},
    )
    assert run.returncode != 0
    assert f"{bad}: segment 'oops', key 'criteria.total_spent.value': must be a number" in run.output
    assert run.statuses()["model.segmentation.int_customers_user_segmented"] == "skipped"
    assert warehouse.query("select count(*) from segments") == built.query("select count(*) from segments")


def test_the_preview_answers_from_the_published_file(built: Warehouse, tmp_path: Path) -> None:
    """The preview reads the segments file the publication records (the sample's), unless --file names another."""
    published = tmp_path / "published.duckdb"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "segmentation.publish",
            "--database",
            str(built.database),
            "--published",
            str(published),
            "--segments-file",
            str(built.raw_dir / SEGMENTS_FILE),
        ],
        check=True,
        capture_output=True,
    )
    started = time.perf_counter()
    shown = subprocess.run(
        [sys.executable, "-m", "segmentation.segments", "static/vip_list", "--database", str(published)],
        capture_output=True,
        text=True,
        cwd=PROJECT_DIR,
    )
    seconds = time.perf_counter() - started
    assert shown.returncode == 0, shown.stderr
    count = built.query("select count(*) from segment_members where segment_id = 'static/vip_list'")[0][0]
    assert f"static/vip_list (VIP list): {count:,} members" in shown.stdout
    assert "listed id(s) are not customers of the run, never members" in shown.stdout
    assert seconds < 2, seconds

    bad = tmp_path / "segments.yml"
    bad.write_text("segments:\n  - id: s\n    type: dynamic\n    criteria: {in_segment: rfm/champs}\n")
    refused = subprocess.run(
        [sys.executable, "-m", "segmentation.segments", "--file", str(bad), "--database", str(published)],
        capture_output=True,
        text=True,
        cwd=PROJECT_DIR,
    )
    assert refused.returncode == 1
    assert f"{bad}: segment 's', key 'criteria.in_segment': unknown segment id 'rfm/champs'" in refused.stderr


def test_every_field_of_the_language_is_a_column_of_its_type(built: Warehouse) -> None:
    """segmentation/segments/fields.py names the columns the compiled predicates read: they must be exactly
    segment_criteria_fields' (int_customers_featured's and the products bought), each of the kind its operators
    assume."""
    columns = dict(
        built.query(
            "select column_name, data_type from information_schema.columns"
            " where table_schema = 'main' and table_name = 'segment_criteria_fields'"
        )
    )
    assert set(columns) == set(fields.FEATURE_COLUMNS)
    featured = {
        row[0]
        for row in built.query(
            "select column_name from information_schema.columns"
            " where table_schema = 'intermediate' and table_name = 'int_customers_featured'"
        )
    }
    assert featured == set(fields.FEATURE_COLUMNS) - {"purchased_products"}
    for name, field in fields.OPERATOR_FIELDS.items():
        data_type = columns[field.column]
        expected = {
            fields.Kind.NUMBER: ("INTEGER", "BIGINT", "DOUBLE", "DECIMAL"),
            fields.Kind.DATE: ("DATE",),
            fields.Kind.TEXT: ("VARCHAR",),
            fields.Kind.BOOLEAN: ("BOOLEAN",),
        }[field.kind]
        assert data_type.startswith(expected), (name, data_type)
    # the customer_segments columns a criterion may name are all there
    mart = {
        row[0]
        for row in built.query(
            "select column_name from information_schema.columns where table_name = 'customer_segments'"
        )
    }
    assert set(fields.MART_FIELDS) <= mart


def memberships(warehouse: Warehouse, sql: str) -> dict[str, set[tuple[dt.date, int]]]:
    """segment_id -> (as_of_date, customer_id) of every recorded date, from a query of those three columns."""
    found: dict[str, set[tuple[dt.date, int]]] = {}
    for segment_id, as_of, customer_id in warehouse.query(sql):
        found.setdefault(segment_id, set()).add((as_of, customer_id))
    return found


def test_in_segment_selects_the_members_of_every_segment_type(user_segmented: Warehouse, built: Warehouse) -> None:
    """An id of any type that validates selects exactly that segment's members on every recorded date: the built-in
    types' as the membership store records them, the user-defined ones' as evaluated beside them; not_in_segment
    selects every other customer of the date."""
    referenced = [*catalog_ids(built), *USER_IDS_REFERENCED]
    assert {segment_id.split("/")[0] for segment_id in referenced} == SEGMENT_TYPES
    user = memberships(
        user_segmented,
        "select segment_id, as_of_date, customer_id from intermediate.int_customers_user_segmented",
    )
    recorded = memberships(
        built,
        "select segment_id, as_of_date, customer_id from segment_membership_snapshots"
        " where segment_type not in ('static', 'dynamic')",
    )
    everyone = {
        (as_of, customer_id)
        for as_of, customer_id in user_segmented.query(
            "select as_of_date, customer_id from intermediate.int_customers_featured"
        )
    }
    negated_ids = {f"dynamic/{d['id']}" for d in in_segment_definitions(referenced) if d["id"].startswith("out_")}
    differing: dict[str, object] = {}
    for segment_id in referenced:
        want = user.get(segment_id, set()) if segment_id in USER_IDS_REFERENCED else recorded.get(segment_id, set())
        have = user.get(f"dynamic/{in_segment_slug(segment_id)}", set())
        if want != have:
            differing[segment_id] = (len(want), len(have), sorted(want ^ have)[:3])
        negated = f"dynamic/{in_segment_slug(segment_id, True)}"
        if negated in negated_ids and user.get(negated, set()) != everyone - want:
            differing[f"not {segment_id}"] = (len(everyone - want), len(user.get(negated, set())))
    assert differing == {}
    # every type has members on the sample, so an empty selection could not pass for a right one
    for segment_type in SEGMENT_TYPES:
        typed = [segment_id for segment_id in referenced if segment_id.split("/")[0] == segment_type]
        assert any(user.get(f"dynamic/{in_segment_slug(segment_id)}") for segment_id in typed), segment_type
    assert {as_of for as_of, _ in user["dynamic/in_journey__advocacy"]} == {as_of for as_of, _ in everyone}


@pytest.mark.parametrize(
    "unknown", ["journey/advocate", "demographic/age_17_24", "rfm/champs", "static/nobody", "dynamic/nothing", "vip"]
)
def test_an_unknown_segment_id_is_refused_naming_file_segment_and_key(
    built: Warehouse, tmp_path: Path, unknown: str
) -> None:
    """The build's own validation with the catalog's ids, as int_user_segments_compiled runs it: every catalog id
    validates, an id that is not one is an error."""
    path = tmp_path / "segments.yml"
    known = [{"id": "every_id", "type": "dynamic", "criteria": {"in_segment": catalog_ids(built)}}]
    path.write_text(yaml.safe_dump({"segments": known}))
    assert [s.segment_id for s in definitions.load_segments(path, catalog_ids(built))] == ["dynamic/every_id"]
    bad = [{"id": "s", "type": "dynamic", "criteria": {"any": [{"not_in_segment": ["journey/advocacy", unknown]}]}}]
    path.write_text(yaml.safe_dump({"segments": bad}))
    with pytest.raises(definitions.DefinitionErrors) as raised:
        definitions.load_segments(path, catalog_ids(built))
    assert str(raised.value) == (
        f"{path}: segment 's', key 'criteria.any[0].not_in_segment': unknown segment id '{unknown}'"
    )


def test_lifetime_value_criteria_select_by_customer_and_date(lifetime_value_segmented: Warehouse) -> None:
    """The lifetime-value columns as criteria, on every recorded date, against customer_lifetime_value itself; a
    customer without a prediction is never in a comparison and always in its `not`."""
    got = memberships(
        lifetime_value_segmented,
        "select segment_id, as_of_date, customer_id from intermediate.int_customers_user_segmented"
        " where segment_id like 'dynamic/clv_%'",
    )
    everyone = {
        (as_of, customer_id)
        for as_of, customer_id in lifetime_value_segmented.query(
            "select as_of_date, customer_id from intermediate.int_customers_featured"
        )
    }

    def mart(condition: str) -> set[tuple[dt.date, int]]:
        rows = lifetime_value_segmented.query(
            f"select as_of_date, customer_id from customer_lifetime_value where {condition}"
        )
        return {(as_of, customer_id) for as_of, customer_id in rows} & everyone

    inputs = mart("frequency >= 100 and t <= 500")
    predicted = mart("predicted_ltv_1year >= 19000")
    assert got.get("dynamic/clv_inputs", set()) == inputs
    assert got.get("dynamic/clv_predicted", set()) == predicted
    assert got.get("dynamic/clv_not_predicted", set()) == everyone - predicted
    # on several dates, and not everyone
    assert len({as_of for as_of, _ in inputs}) >= 3 and 0 < len(inputs) < len(everyone)


def test_the_preview_and_the_builder_take_the_new_keys(built: Warehouse, tmp_path: Path) -> None:
    """The preview command and the dashboard's builder read the published segment_criteria_fields with the build's
    own validation and compiler: a journey stage and lifetime-value columns count what the marts hold at A."""
    published = tmp_path / "published.duckdb"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "segmentation.publish",
            "--database",
            str(built.database),
            "--published",
            str(published),
        ],
        check=True,
        capture_output=True,
    )
    path = tmp_path / "segments.yml"
    entries = [
        {"id": "advocates", "type": "dynamic", "criteria": {"in_segment": "journey/advocacy"}},
        {"id": "long_frequent", "type": "dynamic", "criteria": {"frequency": {"gte": 100}, "t": {"lte": 800}}},
    ]
    path.write_text(yaml.safe_dump({"segments": entries}))
    shown = subprocess.run(
        [sys.executable, "-m", "segmentation.segments", "--file", str(path), "--database", str(published)],
        capture_output=True,
        text=True,
        cwd=PROJECT_DIR,
    )
    assert shown.returncode == 0, shown.stderr
    advocates = built.query("select count(*) from segment_members where segment_id = 'journey/advocacy'")[0][0]
    frequent = built.query(
        "select count(*) from customer_lifetime_value where frequency >= 100 and t <= 800"
        " and as_of_date = (select max(as_of_date) from customer_lifetime_value)"
    )[0][0]
    assert advocates > 0 and frequent > 0
    assert f"dynamic/advocates (advocates): {advocates:,} members" in shown.stdout
    assert f"dynamic/long_frequent (long_frequent): {frequent:,} members" in shown.stdout

    builder_file = tmp_path / "builder" / "segments.yml"
    builder_file.parent.mkdir()
    form = dashboard_builder.Form(
        slug="valuable_at_risk",
        name="Valuable at risk",
        in_segments=("journey/advocacy",),
        extra_criteria="churn_probability: {gte: 0}\npredicted_ltv_1year: {operator: gt, value: 0}",
    )
    with duckdb.connect(str(published), read_only=True) as con:
        builtin_ids = [row[0] for row in con.execute("select segment_id from segments").fetchall()]
        result = dashboard_builder.check(dashboard_builder.definition(form), builder_file, builtin_ids)
        counted = dashboard_builder.preview_count(result, lambda sql: int(con.execute(sql).fetchall()[0][0]))
    expected = built.query(
        "select count(*) from segment_members as m inner join customer_lifetime_value as v"
        " on m.customer_id = v.customer_id and v.as_of_date = (select max(as_of_date) from customer_lifetime_value)"
        " where m.segment_id = 'journey/advocacy' and v.churn_probability >= 0 and v.predicted_ltv_1year > 0"
    )[0][0]
    assert counted == expected
