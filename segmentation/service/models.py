"""Every request and response of the service as a pydantic model: what the OpenAPI document describes and what
bad input is checked against before any route runs (a 422 naming the field).

Text is bounded and must be encodable as UTF-8; criteria (a mapping in the segment language, checked afterwards by
the build's own validation) are bounded in depth, size and text length, so no request can make the service recurse,
allocate or write without limit. Money is a decimal string (exact, as in the marts); rates and shares are numbers.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, Strict, field_validator

from segmentation.exports.fields import ALLOWED_FIELDS

MAX_TEXT = 2000
MAX_IDS = 10_000
MAX_CRITERIA_DEPTH = 12
MAX_CRITERIA_NODES = 2000
MAX_CRITERIA_TEXT = 500
CUSTOMER_ID_LIMIT = 10**18 - 1  # the definitions' own limit (segmentation/segments/definitions.py)
SLUG_PATTERN = r"^[a-z][a-z0-9_]{0,62}$"


# Control characters other than tab and line feed, and the characters YAML 1.1 also takes for line breaks (NEL, LS,
# PS): a definitions file people read and diff has no use for them, and they would move the file's lines.
FORBIDDEN_CHARACTERS = re.compile("[\x00-\x08\x0b-\x1f\x7f\x85\u2028\u2029]")


def _utf8(value: str) -> str:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be text encodable as UTF-8 (no lone surrogate)") from None
    found = FORBIDDEN_CHARACTERS.search(value)
    if found:
        raise ValueError(f"must not contain the control or line-separator character U+{ord(found.group()):04X}")
    return value


def _printable_name(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    if "\n" in value or "\t" in value:
        raise ValueError("must be one line, without tabs")
    return value


Text = Annotated[str, Field(max_length=MAX_TEXT), AfterValidator(_utf8)]
Name = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_utf8), AfterValidator(_printable_name)]
Slug = Annotated[str, Field(pattern=SLUG_PATTERN)]
CustomerId = Annotated[int, Strict(), Field(ge=0, le=CUSTOMER_ID_LIMIT)]
Status = Literal["active", "draft", "archived"]
# The export's allow-list less the campaign-only fields, and its channels (segmentation/exports/fields.py); spelled
# out for the OpenAPI document, checked equal to them by tests/unit/test_service_units.py.
ExportField = Literal[
    "customer_id", "first_name", "last_name", "email", "phone", "city", "state", "postal_code", "country"
]
Channel = Literal["email", "sms", "push", "phone"]


def check_criteria(value: Any) -> Any:
    """Bounded in depth, nodes and text; every string (keys included) UTF-8. The language itself is the build's."""
    nodes = 0

    def walk(item: Any, depth: int, path: str) -> None:
        nonlocal nodes
        nodes += 1
        if depth > MAX_CRITERIA_DEPTH:
            raise ValueError(f"{path}: nested deeper than {MAX_CRITERIA_DEPTH} levels")
        if nodes > MAX_CRITERIA_NODES:
            raise ValueError(f"more than {MAX_CRITERIA_NODES} values")
        if isinstance(item, str):
            if len(item) > MAX_CRITERIA_TEXT:
                raise ValueError(f"{path}: text longer than {MAX_CRITERIA_TEXT} characters")
            _utf8(item)
        elif isinstance(item, Mapping):
            for key, child in item.items():
                walk(str(key), depth + 1, path)
                walk(child, depth + 1, f"{path}.{key}")
        elif isinstance(item, list):
            for index, child in enumerate(item):
                walk(child, depth + 1, f"{path}[{index}]")

    walk(value, 0, "criteria")
    return value


Criteria = Annotated[dict[str, Any], AfterValidator(check_criteria)]


class Closed(BaseModel):
    """A request model: an unknown field is a 422 naming it."""

    model_config = ConfigDict(extra="forbid")


class SegmentCreate(Closed):
    segment_name: Name
    description: Text | None = None
    segment_type: Literal["static", "dynamic"] = Field(
        description="static (a list of customer ids, source manual) or dynamic (criteria in the segment language)"
    )
    slug: Slug | None = Field(
        default=None, description="the id in the definitions file; default: made from the name. Never changes."
    )
    status: Status = "active"
    criteria: Criteria | None = Field(
        default=None, description="a dynamic segment's criteria (docs/segment-authors.md)"
    )
    customer_ids: Annotated[list[CustomerId], Field(max_length=MAX_IDS)] | None = Field(
        default=None, description="a static segment's members"
    )


class SegmentUpdate(Closed):
    segment_name: Name | None = None
    description: Text | None = None
    criteria: Criteria | None = None
    status: Status | None = None
    segment_type: str | None = Field(default=None, max_length=40, description="never changes: only its current value")
    slug: str | None = Field(default=None, max_length=80, description="never changes: only its current value")


class MembersChange(Closed):
    customer_ids: Annotated[list[CustomerId], Field(min_length=1, max_length=MAX_IDS)]


class ExportRequest(Closed):
    format: Literal["csv", "xlsx"] = "csv"
    channel: Channel
    fields: Annotated[list[ExportField], Field(min_length=1, max_length=len(ALLOWED_FIELDS))] = ["customer_id"]

    @field_validator("fields")
    @classmethod
    def _each_once(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("name each field once")
        return value


class Problem(BaseModel):
    """Every error answer: what is wrong, and the field it is about when there is one."""

    detail: str
    field: str | None = None
    errors: list[dict[str, str]] | None = None


class SegmentOut(BaseModel):
    id: str = Field(description="the whole segment id, `<type>/<slug>`, e.g. rfm/champions")
    slug: str
    segment_name: str
    description: str | None
    segment_type: str
    status: str
    built_in: bool = Field(description="a built-in segment: read-only")
    source: str | None = Field(description="automatic (criteria or built-in rule), manual (listed ids), import (file)")
    criteria: dict[str, Any] | None
    customer_ids: list[int] | None
    customer_ids_file: str | None
    customer_count: int | None = Field(description="members in the published warehouse; null before its first build")
    share_of_customers: float | None
    last_updated: dt.date | None = Field(description="the published warehouse's as-of date the count is for")
    pending_refresh: bool = Field(description="the definition differs from what the published warehouse was built from")
    etag: str


class SegmentCreated(SegmentOut):
    unknown_ids: list[int] = Field(description="listed ids that are not customers of the published warehouse: left out")


class SegmentList(BaseModel):
    items: list[SegmentOut]
    total: int
    page: int
    limit: int


class Member(BaseModel):
    customer_id: int
    joined_at: dt.date
    source: str
    customer_segment: str | None
    tenure_months: int | None
    lifetime_value: Decimal | None
    avg_monthly_spend: Decimal | None
    recency_days: int | None
    frequency_365d: int | None
    rfm_score: str | None


class MembersPage(BaseModel):
    segment_id: str
    as_of_date: dt.date | None
    publication_id: str | None
    total: int
    page: int
    limit: int
    items: list[Member]


class MembersChanged(BaseModel):
    segment: SegmentOut
    changed: list[int] = Field(description="ids added (POST) or removed (DELETE)")
    unchanged: list[int] = Field(description="ids already listed (POST) or not listed (DELETE)")
    unknown_ids: list[int] = Field(description="ids that are not customers of the published warehouse: never added")


class TrendPoint(BaseModel):
    as_of_date: dt.date
    total_customers: int


class RevenuePoint(BaseModel):
    as_of_date: dt.date
    total_revenue: Decimal


class Analytics(BaseModel):
    segment_id: str
    segment_name: str
    segment_type: str
    as_of_date: dt.date
    publication_id: str | None
    total_customers: int
    active_customers: int
    growth_rate: float | None
    total_revenue: Decimal
    average_revenue_per_customer: Decimal | None
    revenue_contribution: float | None
    average_order_frequency: float | None
    average_predicted_ltv_1year: Decimal | None
    average_churn_probability: float | None
    retention_rate: float | None
    campaigns_sent: int
    open_rate: float | None
    click_rate: float | None
    conversion_rate: float | None
    customer_growth_trend: list[TrendPoint]
    revenue_trend: list[RevenuePoint]


class JobAccepted(BaseModel):
    job_id: str
    status: str
    status_url: str


class JobOut(BaseModel):
    job_id: str
    segment_id: str
    status: Literal["queued", "running", "succeeded", "failed"]
    as_of_date: str
    requested_by: str
    requested_at: str
    started_at: str | None
    finished_at: str | None
    exit_code: int | None
    message: str
    log_tail: list[str]


class ExportOut(BaseModel):
    export_id: str
    segment_id: str
    channel: str
    format: str
    fields: list[str]
    row_count: int
    members: int
    left_out_count: int
    left_out_reasons: dict[str, int]
    file_name: str
    sha256: str
    publication_id: str | None
    exported_at: str
