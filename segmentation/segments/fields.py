"""What a criterion may name: the fields of the criteria language and the column each one reads.

Every dynamic segment's rule is a predicate over one row of `int_customers_featured` (one row per
as-of date and customer) with `purchased_products` added (int_customers_user_segmented); the mart
`segment_criteria_fields`, which the preview reads, is the same for the latest date. The columns
listed here are that mart's columns; tests/integration/test_user_segments.py checks that they
agree, so a new column there is a new field here.

The columns of `customer_lifetime_value` are read from that model's declared columns
(models/marts/clv/_clv__models.yml), the one place they are listed: a column declared there is a
criteria key of its own name, and int_customers_featured selects every column of the mart.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

import yaml

from segmentation.project import PROJECT_DIR


class Kind(Enum):
    """A field's value type, which decides its operators and the type its values must have."""

    NUMBER = "number"
    TEXT = "text"
    DATE = "date"
    BOOLEAN = "boolean"


# Operators per kind (docs/rules/user-segments.md). Dates compare with before/after/between/within_last_days.
COMPARISONS = ("eq", "neq", "gt", "gte", "lt", "lte")
OPERATORS: dict[Kind, tuple[str, ...]] = {
    Kind.NUMBER: (*COMPARISONS, "between", "in", "not_in"),
    Kind.TEXT: (*COMPARISONS, "between", "in", "not_in"),
    Kind.DATE: ("before", "after", "between", "within_last_days"),
    Kind.BOOLEAN: ("eq", "neq"),
}


@dataclass(frozen=True)
class Field:
    column: str
    kind: Kind


# The segmentation API notes' keys that compare one column with an operator object.
API_FIELDS: dict[str, Field] = {
    "registration_date": Field("signup_date", Kind.DATE),
    "total_orders": Field("total_orders", Kind.NUMBER),
    "total_spent": Field("lifetime_value", Kind.NUMBER),
    "average_order_value": Field("average_order_value", Kind.NUMBER),
    "last_order_date": Field("last_order_date", Kind.DATE),
    "last_login": Field("last_login_date", Kind.DATE),
    "customer_type": Field("customer_type", Kind.TEXT),
    "email_subscribed": Field("email_subscribed", Kind.BOOLEAN),
}

# The columns of customer_segments a criterion may name directly (numeric, date or text).
MART_FIELDS: dict[str, Field] = {
    name: Field(name, kind)
    for name, kind in {
        "customer_id": Kind.NUMBER,
        "customer_segment": Kind.TEXT,
        "segment_priority": Kind.NUMBER,
        "spend_last_90_days": Kind.NUMBER,
        "spend_prior_90_days": Kind.NUMBER,
        "spend_change_pct": Kind.NUMBER,
        "avg_monthly_spend": Kind.NUMBER,
        "travel_spend_last_90_days": Kind.NUMBER,
        "necessities_spend_last_90_days": Kind.NUMBER,
        "travel_spend_pct": Kind.NUMBER,
        "necessities_spend_pct": Kind.NUMBER,
        "signup_date": Kind.DATE,
        "tenure_months": Kind.NUMBER,
        "lifetime_value": Kind.NUMBER,
        "recency_days": Kind.NUMBER,
        "frequency_365d": Kind.NUMBER,
        "monetary_365d": Kind.NUMBER,
        "r_score": Kind.NUMBER,
        "f_score": Kind.NUMBER,
        "m_score": Kind.NUMBER,
        "rfm_score": Kind.TEXT,
    }.items()
}

# The customer's segment of each built-in type (ids such as `rfm/champions`), from int_customers_cataloged: one
# column per entry of builtin_segment_types() (macros/segment_types.sql), which int_customers_featured selects in a
# loop over that macro. in_segment of a built-in id looks the id up in these columns, so a type missing here would
# select nobody: test_user_segments.py checks that the featured columns are exactly these.
BUILTIN_SEGMENT_COLUMNS: tuple[str, ...] = (
    "behavioral_segment_id",
    "rfm_segment_id",
    "lifecycle_segment_id",
    "value_segment_id",
    "engagement_segment_id",
    "journey_segment_id",
    "age_segment_id",
    "gender_segment_id",
)
BUILTIN_FIELDS: dict[str, Field] = {column: Field(column, Kind.TEXT) for column in BUILTIN_SEGMENT_COLUMNS}

# customer_lifetime_value: where its columns are declared, the keys its rows are joined on, and the engines its
# models (dbt Python models) run on (docs/engines.md); on any other engine a criterion naming one of its columns
# is an error that names the engine.
LIFETIME_VALUE_MART = "customer_lifetime_value"
LIFETIME_VALUE_MODELS_FILE = PROJECT_DIR / "models" / "marts" / "clv" / "_clv__models.yml"
LIFETIME_VALUE_KEYS = ("customer_id", "as_of_date")
LIFETIME_VALUE_ENGINES: tuple[str, ...] = ("duckdb",)
DEFAULT_ENGINE = "duckdb"

# A declared data_type's kind, by the type's name without its size (DuckDB's names, and the contracts' elsewhere).
_KINDS: dict[str, Kind] = {
    **dict.fromkeys(
        ("decimal", "numeric", "double", "float", "real", "bigint", "integer", "int", "smallint", "hugeint"),
        Kind.NUMBER,
    ),
    **dict.fromkeys(("varchar", "text", "string"), Kind.TEXT),
    **dict.fromkeys(("boolean", "bool"), Kind.BOOLEAN),
    "date": Kind.DATE,
}


def kind_of(data_type: str) -> Kind | None:
    """The criteria kind of a declared column type; None for a type the language cannot compare (a timestamp)."""
    return _KINDS.get(data_type.split("(", 1)[0].strip().lower())


def declared_columns(models_file: Path, model: str) -> dict[str, str]:
    """A model's declared columns and their data_type (an empty type where none is declared), in file order."""
    try:
        document: Any = yaml.safe_load(models_file.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise RuntimeError(f"cannot read the declared columns of {model} from {models_file}: {error}") from None
    for entry in (document or {}).get("models") or []:
        if isinstance(entry, Mapping) and entry.get("name") == model:
            return {
                str(column["name"]): str(column.get("data_type") or "")
                for column in entry.get("columns") or []
                if isinstance(column, Mapping) and "name" in column
            }
    raise RuntimeError(f"{models_file} declares no model {model}")


# Every declared column of customer_lifetime_value apart from its keys is a column of int_customers_featured;
# those of a kind the language compares are criteria keys (churn_probability, predicted_ltv_1year, ...).
LIFETIME_VALUE_COLUMNS: dict[str, str] = {
    name: data_type
    for name, data_type in declared_columns(LIFETIME_VALUE_MODELS_FILE, LIFETIME_VALUE_MART).items()
    if name not in LIFETIME_VALUE_KEYS
}
LIFETIME_VALUE_FIELDS: dict[str, Field] = {
    name: Field(name, kind)
    for name, data_type in LIFETIME_VALUE_COLUMNS.items()
    if (kind := kind_of(data_type)) is not None
}

# Every field compared with an operator object, by the key a definition names it with.
OPERATOR_FIELDS: dict[str, Field] = {**MART_FIELDS, **API_FIELDS, **BUILTIN_FIELDS, **LIFETIME_VALUE_FIELDS}

# The analytics notes' shortcuts: key -> (column, the value's kind). A bare number, not an object.
SHORTCUTS: dict[str, tuple[str, Kind]] = {
    "recency_days": ("recency_days", Kind.NUMBER),  # recency_days <= N
    "min_frequency": ("frequency_365d", Kind.NUMBER),  # frequency_365d >= N
    "min_monetary": ("monetary_365d", Kind.NUMBER),  # monetary_365d >= X
    "days_inactive": ("recency_days", Kind.NUMBER),  # no positive transaction from A - N to A
    "min_previous_purchases": ("total_orders", Kind.NUMBER),  # total_orders >= N
}
# Shortcuts whose value must be a whole number (days, counts).
WHOLE_NUMBER_SHORTCUTS = frozenset({"recency_days", "min_frequency", "days_inactive", "min_previous_purchases"})

# location: {countries, states, cities}, each a list, trimmed and case-insensitive.
LOCATION_PARTS: dict[str, str] = {"countries": "country", "states": "state", "cities": "city"}

# Keys whose value is a list: any listed value purchased / none of them purchased.
CATEGORY_KEYS = ("purchased_categories", "never_purchased_categories")
PRODUCT_KEY = "purchased_products"

LOGICAL_KEYS = ("all", "any", "not")
SEGMENT_KEYS = ("in_segment", "not_in_segment")

# The columns the features model must have: every column any criterion reads.
FEATURE_COLUMNS: tuple[str, ...] = tuple(
    dict.fromkeys(
        [
            "as_of_date",
            *(field.column for field in OPERATOR_FIELDS.values()),
            *LIFETIME_VALUE_COLUMNS,
            *LOCATION_PARTS.values(),
            "purchased_categories",
            "purchased_products",
        ]
    )
)

MAX_DEPTH = 5


def all_keys() -> list[str]:
    """Every key a criteria object may hold, for error messages."""
    return sorted({*OPERATOR_FIELDS, *SHORTCUTS, "location", *CATEGORY_KEYS, PRODUCT_KEY, *LOGICAL_KEYS, *SEGMENT_KEYS})
