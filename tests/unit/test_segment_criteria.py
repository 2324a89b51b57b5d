"""docs/rules/user-segments.md's criteria, compiled by segmentation.segments and run by DuckDB on hand-written rows.

One in-memory table with the columns of int_customers_featured (types written here, independently of
the model) and a few customers chosen for each edge: values exactly at a bound, one cent either side,
nulls, and text that looks like SQL. Every operator, `not`, null handling and in_segment chains.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml

from segmentation.project import PROJECT_DIR
from segmentation.segments import DefinitionErrors, compile_segments, fields, preview, validate_document
from segmentation.segments.fields import FEATURE_COLUMNS, LIFETIME_VALUE_COLUMNS

AS_OF = dt.date(2025, 6, 30)
BUILTIN_IDS = [
    "rfm/champions",
    "rfm/hibernating",
    "value/vip",
    "behavioral/high_value_travelers",
    "behavioral/declining",
    "lifecycle/mature",
    "engagement/high",
    "journey/advocacy",
    "journey/retention",
    "demographic/age_25_34",
    "demographic/gender_female",
]
HOSTILE = ["x' or '1'='1", "1; drop table customers", "a -- comment", "/* c */", 'say "hi"', "it's", "%", "_"]

COLUMN_TYPES = {
    "as_of_date": "date",
    "customer_id": "integer",
    "customer_segment": "varchar",
    "segment_priority": "integer",
    "spend_last_90_days": "decimal(18, 2)",
    "spend_prior_90_days": "decimal(18, 2)",
    "spend_change_pct": "decimal(18, 2)",
    "avg_monthly_spend": "decimal(18, 2)",
    "travel_spend_last_90_days": "decimal(18, 2)",
    "necessities_spend_last_90_days": "decimal(18, 2)",
    "travel_spend_pct": "decimal(18, 2)",
    "necessities_spend_pct": "decimal(18, 2)",
    "signup_date": "date",
    "tenure_months": "integer",
    "lifetime_value": "decimal(18, 2)",
    "recency_days": "integer",
    "frequency_365d": "integer",
    "monetary_365d": "decimal(18, 2)",
    "r_score": "integer",
    "f_score": "integer",
    "m_score": "integer",
    "rfm_score": "varchar",
    "country": "varchar",
    "state": "varchar",
    "city": "varchar",
    "total_orders": "integer",
    "average_order_value": "double",
    "last_order_date": "date",
    "customer_type": "varchar",
    "last_login_date": "date",
    "email_subscribed": "boolean",
    "purchased_categories": "varchar[]",
    "purchased_products": "bigint[]",
    "behavioral_segment_id": "varchar",
    "rfm_segment_id": "varchar",
    "lifecycle_segment_id": "varchar",
    "value_segment_id": "varchar",
    "engagement_segment_id": "varchar",
    "journey_segment_id": "varchar",
    "age_segment_id": "varchar",
    "gender_segment_id": "varchar",
    # customer_lifetime_value's columns as its model declares them (the mart gains columns while this is written)
    **{name: data_type or "varchar" for name, data_type in LIFETIME_VALUE_COLUMNS.items()},
}

# customer 1..4 ordinary, 5 all nulls, 10.. hostile texts
ROWS: list[dict[str, Any]] = [
    {
        "customer_id": 1,
        "lifetime_value": "1000.00",
        "total_orders": 5,
        "average_order_value": 200.0,
        "customer_segment": "High-Value Travelers",
        "state": " CA ",
        "country": "United States",
        "city": "San Diego",
        "signup_date": dt.date(2024, 1, 1),
        "last_order_date": dt.date(2025, 6, 20),
        "last_login_date": dt.date(2025, 6, 30),
        "recency_days": 10,
        "frequency_365d": 12,
        "monetary_365d": "500.00",
        "spend_change_pct": "-30.00",
        "purchased_categories": ["travel", "grocery"],
        "purchased_products": [7],
        "email_subscribed": True,
        "customer_type": "business",
        "rfm_segment_id": "rfm/champions",
        "value_segment_id": "value/vip",
        "behavioral_segment_id": "behavioral/high_value_travelers",
        "lifecycle_segment_id": "lifecycle/mature",
        "engagement_segment_id": "engagement/high",
        "journey_segment_id": "journey/advocacy",
        "age_segment_id": "demographic/age_25_34",
        "gender_segment_id": "demographic/gender_female",
        # at the 0.5 threshold exactly
        "churn_probability": "0.5000",
        "probability_alive": "0.5000",
        "risk_score": "50.00",
        "predicted_ltv_1year": "1000.00",
        "expected_purchases_365d": "12.0000",
        "confidence_score": "0.9000",
        "frequency": 4,
        "t": 500,
        "growth_potential": "high",
    },
    {
        "customer_id": 2,
        "lifetime_value": "999.99",
        "total_orders": 4,
        "average_order_value": 199.99,
        "customer_segment": "Budget-Conscious",
        "state": "ny",
        "country": "united states",
        "city": "Albany",
        "signup_date": dt.date(2024, 6, 30),
        "last_order_date": dt.date(2025, 5, 31),
        "last_login_date": dt.date(2025, 5, 31),
        "recency_days": 30,
        "frequency_365d": 11,
        "monetary_365d": "499.99",
        "spend_change_pct": "-29.99",
        "purchased_categories": ["grocery"],
        "purchased_products": [],
        "email_subscribed": False,
        "customer_type": "individual",
        "rfm_segment_id": "rfm/hibernating",
        "value_segment_id": "value/standard",
        "behavioral_segment_id": "behavioral/declining",
        "journey_segment_id": "journey/retention",
        # just under the threshold
        "churn_probability": "0.4999",
        "probability_alive": "0.5001",
        "risk_score": "49.99",
        "predicted_ltv_1year": "999.99",
        "expected_purchases_365d": "11.9999",
        "confidence_score": "0.0000",
        "frequency": 3,
        "t": 400,
        "growth_potential": "medium",
    },
    {
        "customer_id": 3,
        "lifetime_value": "1000.01",
        "total_orders": 6,
        "average_order_value": 166.67,
        "customer_segment": "Stable Mid-Spenders",
        "state": "TX",
        "country": "Canada",
        "city": "Austin",
        "signup_date": dt.date(2025, 1, 1),
        "last_order_date": dt.date(2025, 6, 29),
        "recency_days": 1,
        "frequency_365d": 13,
        "monetary_365d": "500.01",
        "spend_change_pct": "10.00",
        "purchased_categories": ["travel"],
        "purchased_products": [8, 9],
        "rfm_segment_id": "rfm/champions",
        "value_segment_id": "value/standard",
        # just over the threshold; a model status the mart may add does not matter here
        "churn_probability": "0.5001",
        "probability_alive": "0.4999",
        "risk_score": "50.01",
        "predicted_ltv_1year": "1000.01",
        "expected_purchases_365d": "12.0001",
        "confidence_score": "1.0000",
        "frequency": 5,
        "t": 600,
        "growth_potential": "high",
    },
    # never bought: no order date, recency, average or categories; no email preference, no type
    {
        "customer_id": 5,
        "lifetime_value": "0.00",
        "total_orders": 0,
        "customer_segment": "Stable Mid-Spenders",
        "signup_date": dt.date(2025, 6, 30),
        "frequency_365d": 0,
        "monetary_365d": "0.00",
        "purchased_categories": [],
        "purchased_products": [],
        "rfm_segment_id": "rfm/hibernating",
        "value_segment_id": "value/standard",
    },
    *(
        {
            "customer_id": 10 + index,
            "customer_segment": text,
            "state": text,
            "city": text,
            "purchased_categories": [text],
        }
        for index, text in enumerate(HOSTILE)
    ),
]
ORDINARY = {1, 2, 3, 5}
EVERYONE = ORDINARY | {10 + index for index in range(len(HOSTILE))}


@pytest.fixture(scope="module")
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect()
    columns = ", ".join(f"{name} {kind}" for name, kind in COLUMN_TYPES.items())
    connection.execute(f"create table fields ({columns})")
    connection.execute("create table customers (customer_id integer)")
    names = list(COLUMN_TYPES)
    for row in ROWS:
        values = {**row, "as_of_date": AS_OF}
        connection.execute(
            f"insert into fields values ({', '.join('?' for _ in names)})", [values.get(name) for name in names]
        )
    yield connection
    connection.close()


def members(con: duckdb.DuckDBPyConnection, criteria: Any, *others: dict[str, Any]) -> set[int]:
    """The customers of `fields` in a dynamic segment `subject` with these criteria (others may be named)."""
    document = {"segments": [{"id": "subject", "type": "dynamic", "criteria": criteria}, *others]}
    segments = validate_document(document, "segments.yml", Path("."), BUILTIN_IDS)
    predicate = compile_segments(segments)["dynamic/subject"]
    return {row[0] for row in con.execute(f"select customer_id from fields where {predicate}").fetchall()}


def test_the_table_has_every_column_a_criterion_reads() -> None:
    assert set(FEATURE_COLUMNS) <= set(COLUMN_TYPES)


@pytest.mark.parametrize(
    ("criteria", "expected"),
    [
        # numbers: a cent either side of 1000.00
        ({"total_spent": {"operator": "eq", "value": 1000}}, {1}),
        ({"total_spent": {"operator": "neq", "value": 1000}}, {2, 3, 5}),  # the nulls are never members
        ({"total_spent": {"operator": "gt", "value": 1000}}, {3}),
        ({"total_spent": {"operator": "gte", "value": 1000}}, {1, 3}),
        ({"total_spent": {"operator": "lt", "value": 1000}}, {2, 5}),
        ({"total_spent": {"operator": "lte", "value": 1000.00}}, {1, 2, 5}),
        ({"total_spent": {"operator": "between", "min_value": 999.99, "max_value": 1000}}, {1, 2}),
        ({"total_spent": {"operator": "between", "min_value": 1000, "max_value": 1000}}, {1}),
        ({"total_orders": {"operator": "in", "values": [4, 6]}}, {2, 3}),
        ({"total_orders": {"operator": "not_in", "values": [4, 6]}}, {1, 5}),
        ({"average_order_value": {"operator": "gte", "value": 199.99}}, {1, 2}),  # null without an order
        ({"spend_change_pct": {"operator": "lte", "value": -30}}, {1}),
        # text: exact, case-sensitive; in / not_in; null never matches
        ({"customer_segment": {"operator": "eq", "value": "Budget-Conscious"}}, {2}),
        ({"customer_segment": {"operator": "eq", "value": "budget-conscious"}}, set()),
        ({"customer_segment": {"operator": "in", "values": ["Budget-Conscious", "Stable Mid-Spenders"]}}, {2, 3, 5}),
        ({"customer_type": "business"}, {1}),
        ({"customer_type": {"operator": "neq", "value": "business"}}, {2}),
        ({"customer_type": {"operator": "not_in", "values": ["business"]}}, {2}),
        ({"rfm_score": {"operator": "gt", "value": "0"}}, set()),  # all null
        # dates: before / after are strict, between and within_last_days inclusive
        ({"registration_date": {"operator": "before", "date": "2024-06-30"}}, {1}),
        ({"registration_date": {"operator": "after", "date": dt.date(2024, 6, 30)}}, {3, 5}),
        ({"registration_date": {"operator": "between", "start_date": "2024-06-30", "end_date": "2025-01-01"}}, {2, 3}),
        ({"last_order_date": {"operator": "within_last_days", "days": 30}}, {1, 2, 3}),
        ({"last_order_date": {"operator": "within_last_days", "days": 29}}, {1, 3}),
        ({"last_order_date": {"operator": "within_last_days", "days": 0}}, set()),
        ({"last_login": {"operator": "within_last_days", "days": 0}}, {1}),
        ({"last_order_date": {"operator": "before", "date": "2025-06-01"}}, {2}),
        # booleans: a missing preference is neither subscribed nor unsubscribed
        ({"email_subscribed": True}, {1}),
        ({"email_subscribed": False}, {2}),
        # location: trimmed and case-insensitive; the lists of one location are ANDed
        ({"location": {"states": ["ca", "NY "]}}, {1, 2}),
        ({"location": {"countries": ["UNITED STATES"], "states": ["ny"]}}, {2}),
        ({"location": {"cities": ["austin"]}}, {3}),
        # categories and products
        ({"purchased_categories": ["TRAVEL "]}, {1, 3}),
        ({"purchased_categories": ["grocery", "hotels"]}, {1, 2}),
        ({"never_purchased_categories": ["travel"]}, EVERYONE - {1, 3}),
        ({"purchased_products": [8]}, {3}),
        # the analytics notes' shortcuts
        ({"recency_days": 10}, {1, 3}),
        ({"min_frequency": 12}, {1, 3}),
        ({"min_monetary": 500}, {1, 3}),
        ({"days_inactive": 10}, EVERYONE - {1, 3}),  # the last 10 days: from A - 10 on; none at all is inactive
        ({"days_inactive": 9}, EVERYONE - {3}),
        ({"min_previous_purchases": 5}, {1, 3}),
        # mart columns with an operator object: recency_days the column, not the shortcut
        ({"recency_days": {"operator": "gt", "value": 10}}, {2}),
        # the compact operator form of the catalog's criteria
        ({"tenure_months": {"between": [0, 0]}}, set()),
        ({"total_spent": {"gte": 1000}}, {1, 3}),
        ({"total_orders": {"in": [0]}}, {5}),
        # AND, OR, NOT, and a null under NOT
        ({"total_spent": {"gte": 1000}, "location": {"states": ["tx"]}}, {3}),
        ({"any": [{"location": {"states": ["tx"]}}, {"email_subscribed": True}]}, {1, 3}),
        ({"all": [{"min_frequency": 11}, {"not": {"min_frequency": 13}}]}, {1, 2}),
        ({"not": {"email_subscribed": True}}, EVERYONE - {1}),
        ({"not": {"average_order_value": {"operator": "gt", "value": 0}}}, EVERYONE - {1, 2, 3}),
        ({"not": {"not": {"customer_type": "business"}}}, {1}),
        # built-in segments by id, as columns and with in_segment / not_in_segment
        ({"in_segment": "rfm/champions"}, {1, 3}),
        ({"in_segment": ["rfm/hibernating", "value/vip"]}, {1, 2, 5}),
        ({"not_in_segment": "rfm/champions"}, EVERYONE - {1, 3}),
        ({"rfm_segment_id": {"operator": "eq", "value": "rfm/champions"}}, {1, 3}),
        # every built-in type's id, the journey stages included
        ({"in_segment": "journey/advocacy"}, {1}),
        ({"in_segment": ["journey/retention", "journey/advocacy"]}, {1, 2}),
        ({"not_in_segment": "journey/advocacy"}, EVERYONE - {1}),
        ({"journey_segment_id": {"operator": "eq", "value": "journey/retention"}}, {2}),
        ({"in_segment": "behavioral/declining"}, {2}),
        ({"in_segment": "lifecycle/mature"}, {1}),
        ({"in_segment": "engagement/high"}, {1}),
        ({"in_segment": "demographic/age_25_34"}, {1}),
        ({"in_segment": "demographic/gender_female"}, {1}),
        # lifetime-value columns: a ten-thousandth either side of 0.5; customer 5 has no prediction (null)
        ({"churn_probability": {"gte": 0.5}}, {1, 3}),
        ({"churn_probability": {"operator": "gt", "value": 0.5}}, {3}),
        ({"churn_probability": {"lt": 0.5}}, {2}),
        ({"not": {"churn_probability": {"lt": 0.5}}}, EVERYONE - {2}),
        ({"probability_alive": {"operator": "between", "min_value": 0.4999, "max_value": 0.5}}, {1, 3}),
        ({"risk_score": {"lte": 50}}, {1, 2}),
        ({"predicted_ltv_1year": {"gt": 999.99}}, {1, 3}),
        ({"expected_purchases_365d": {"operator": "in", "values": [12, 12.0001]}}, {1, 3}),
        ({"confidence_score": {"eq": 0}}, {2}),
        ({"frequency": {"gte": 4}, "t": {"lt": 600}}, {1}),
        ({"growth_potential": "high"}, {1, 3}),
        ({"growth_potential": {"operator": "neq", "value": "high"}}, {2}),
    ],
)
def test_criterion(con: duckdb.DuckDBPyConnection, criteria: dict[str, Any], expected: set[int]) -> None:
    assert members(con, criteria) == expected


def test_in_segment_chains_through_user_defined_segments(con: duckdb.DuckDBPyConnection) -> None:
    big = {"id": "big", "type": "dynamic", "criteria": {"total_spent": {"gte": 1000}}}
    champions_big = {
        "id": "champions_big",
        "type": "dynamic",
        "criteria": {"in_segment": ["dynamic/big"], "all": [{"in_segment": "rfm/champions"}]},
    }
    listed = {"id": "listed", "type": "static", "customer_ids": [2, 3, 999]}
    # subject -> champions_big -> big, and subject or a static list
    assert members(con, {"in_segment": "dynamic/champions_big"}, big, champions_big, listed) == {1, 3}
    assert members(con, {"in_segment": ["dynamic/champions_big", "static/listed"]}, big, champions_big, listed) == {
        1,
        2,
        3,
    }
    assert members(con, {"not_in_segment": "dynamic/champions_big"}, big, champions_big, listed) == EVERYONE - {1, 3}
    assert members(con, {"in_segment": "static/listed", "not_in_segment": "dynamic/big"}, big, listed) == {2}


def test_a_segment_that_is_not_active_has_no_members_to_chain_to(con: duckdb.DuckDBPyConnection) -> None:
    draft = {"id": "big", "type": "dynamic", "status": "draft", "criteria": {"total_spent": {"gte": 1000}}}
    assert members(con, {"in_segment": "dynamic/big"}, draft) == set()
    assert members(con, {"not_in_segment": "dynamic/big"}, draft) == EVERYONE


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_values_are_matched_literally(con: duckdb.DuckDBPyConnection, text: str) -> None:
    customer = 10 + HOSTILE.index(text)
    assert members(con, {"customer_segment": {"operator": "eq", "value": text}}) == {customer}
    assert members(con, {"customer_segment": {"operator": "in", "values": [text, "Budget-Conscious"]}}) == {customer, 2}
    assert members(con, {"location": {"states": [text], "cities": [text]}}) == {customer}
    assert members(con, {"purchased_categories": [text]}) == {customer}
    assert members(con, {"customer_segment": {"operator": "neq", "value": text}}) == EVERYONE - {customer}
    # nothing was run: both tables are still there, with every row
    assert con.execute("select count(*) from fields").fetchone() == (len(ROWS),)
    assert con.execute("select count(*) from customers").fetchone() == (0,)


def test_a_hostile_value_is_a_quoted_literal_in_the_sql() -> None:
    document = {
        "segments": [
            {"id": "s", "type": "dynamic", "criteria": {"customer_segment": {"eq": "x' or '1'='1"}}},
            {"id": "t", "type": "dynamic", "criteria": {"customer_segment": {"eq": "1; drop table customers"}}},
        ]
    }
    predicates = compile_segments(validate_document(document, "segments.yml", Path("."), []))
    assert predicates["dynamic/s"] == "coalesce(customer_segment = 'x'' or ''1''=''1', false)"
    assert predicates["dynamic/t"] == "coalesce(customer_segment = '1; drop table customers', false)"


def test_static_segments_list_ids_and_unknown_ids_are_never_members(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    (tmp_path / "vip.csv").write_text("name,customer_id\nann,3\nbob, 1 \n\nzed,424242\n")
    document = {
        "segments": [
            {"id": "manual", "type": "static", "customer_ids": [2, 5, 777]},
            {"id": "imported", "type": "static", "customer_ids_file": "vip.csv"},
        ]
    }
    segments = {s.segment_id: s for s in validate_document(document, "segments.yml", tmp_path, [])}
    assert (segments["static/manual"].source, segments["static/imported"].source) == ("manual", "import")
    predicates = compile_segments(list(segments.values()))
    found = {
        segment_id: {row[0] for row in con.execute(f"select customer_id from fields where {predicate}").fetchall()}
        for segment_id, predicate in predicates.items()
    }
    assert found == {"static/manual": {2, 5}, "static/imported": {1, 3}}


def _declared_lifetime_value_columns() -> dict[str, str]:
    """customer_lifetime_value's declared columns and types, read here from the model's YAML."""
    document = yaml.safe_load((PROJECT_DIR / "models/marts/clv/_clv__models.yml").read_text())
    (model,) = [entry for entry in document["models"] if entry["name"] == "customer_lifetime_value"]
    return {column["name"]: str(column.get("data_type", "")) for column in model["columns"]}


NUMERIC_TYPES = ("decimal", "double", "integer", "bigint", "float", "numeric")


@pytest.mark.parametrize(
    "column",
    [
        name
        for name, data_type in _declared_lifetime_value_columns().items()
        if data_type.lower().startswith(NUMERIC_TYPES) and name not in ("customer_id",)
    ],
)
def test_every_numeric_lifetime_value_column_is_a_key(con: duckdb.DuckDBPyConnection, column: str) -> None:
    """docs/rules/user-segments.md: every numeric column of customer_lifetime_value, the ones the mart gains
    included."""
    members(con, {column: {"operator": "gte", "value": 0}})
    members(con, {column: {"between": [0, 1]}})


def test_the_spec_s_lifetime_value_keys_are_keys() -> None:
    named = ("churn_probability", "probability_alive", "predicted_ltv_1year", "risk_score", "expected_purchases_365d")
    document = {"segments": [{"id": name, "type": "dynamic", "criteria": {name: {"gte": 0.5}}} for name in named]}
    assert len(validate_document(document, "segments.yml", Path("."), [])) == len(named)


@pytest.mark.parametrize("engine", ["postgres", "spark"])
def test_lifetime_value_keys_on_an_engine_without_its_models_name_the_engine(engine: str) -> None:
    document = {
        "segments": [
            {"id": "plain", "type": "dynamic", "criteria": {"total_orders": {"gte": 1}}},
            {"id": "at_risk", "type": "dynamic", "criteria": {"any": [{"not": {"churn_probability": {"lt": 0.5}}}]}},
        ]
    }
    assert len(validate_document(document, "segments.yml", Path("."), [])) == 2  # the build's engine, DuckDB
    with pytest.raises(DefinitionErrors) as raised:
        validate_document(document, "segments.yml", Path("."), [], engine)
    (error,) = raised.value.errors
    assert (error.segment, error.key) == ("at_risk", "criteria.any[0].not.churn_probability")
    assert f"not on this build's engine, {engine}" in error.message
    assert "customer_lifetime_value" in error.message and "duckdb only" in error.message
    # the other keys stay valid on that engine
    plain = {"segments": document["segments"][:1]}
    assert [s.segment_id for s in validate_document(plain, "segments.yml", Path("."), [], engine)] == ["dynamic/plain"]


def test_no_lifetime_value_column_shares_a_name_with_another_field() -> None:
    """int_customers_featured selects the mart's columns beside its own: a shared name would be two columns of one
    name there, and two meanings of one key here."""
    others = {
        *fields.MART_FIELDS,
        *fields.API_FIELDS,
        *fields.BUILTIN_FIELDS,
        *(field.column for field in {**fields.MART_FIELDS, **fields.API_FIELDS}.values()),
        *fields.LOCATION_PARTS.values(),
        *fields.SHORTCUTS,
        "purchased_categories",
        "purchased_products",
    }
    assert set(LIFETIME_VALUE_COLUMNS) & others == set()


def test_the_preview_names_the_columns_an_older_published_file_lacks(tmp_path: Path) -> None:
    """A warehouse published before the lifetime-value keys cannot evaluate them: the preview says to rebuild."""
    database = tmp_path / "published.duckdb"
    with duckdb.connect(str(database)) as connection:
        connection.execute("create table segments (segment_id varchar, segment_type varchar)")
        connection.execute("create table segment_criteria_fields (as_of_date date, customer_id integer)")
        connection.execute("insert into segment_criteria_fields values (date '2025-06-30', 1)")
    segments_file = tmp_path / "segments.yml"
    segments_file.write_text("segments:\n  - id: s\n    type: dynamic\n    criteria: {churn_probability: {gte: 0.5}}\n")
    with pytest.raises(preview.PreviewError, match=r"lacks columns the criteria read .*churn_probability.*rebuild"):
        preview.preview(segments_file, database)
