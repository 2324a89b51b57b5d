"""The fields an export may contain: an allow-list, each with where its value comes from.

Contact details come from the customer's current `dim_customer` row at export time (no mart stores them with an
audience). Date of birth, gender, signup date and account status are left out on purpose: a campaign's send list
does not need them, and every field exported is one more copy of personal data outside the warehouse.
"""

from __future__ import annotations

from collections.abc import Sequence

from segmentation.exports.errors import ExportRefused

# field -> SQL expression over the audience row `a` and the customer's current dim_customer row `d`.
# Only these fixed expressions reach the query: a field named on the command line is a key, never SQL.
ALLOWED_FIELDS: dict[str, str] = {
    "customer_id": "a.customer_id",
    "audience_rank": "a.audience_rank",
    "first_name": "d.first_name",
    "last_name": "d.last_name",
    "email": "d.email",
    "phone": "d.phone",
    "city": "d.city",
    "state": "d.state",
    "postal_code": "d.postal_code",
    "country": "d.country",
}


# The fields only a campaign's audience has: a segment's export refuses them.
CAMPAIGN_ONLY_FIELDS = ("audience_rank",)
# The channels customer_contactability decides (macros/consent_rules.sql, contact_channels).
CHANNELS = ("email", "sms", "push", "phone")


def allowed_fields_text() -> str:
    return ", ".join(ALLOWED_FIELDS)


def parse_fields(text: str | Sequence[str]) -> tuple[str, ...]:
    """The fields in the order given, from `customer_id,email` or a list; refused when any is unknown, empty or
    repeated, with the allowed fields listed."""
    names = [name.strip() for name in (text.split(",") if isinstance(text, str) else text)]
    if not names or any(not name for name in names):
        raise ExportRefused(f"--fields needs comma-separated names, none empty; allowed: {allowed_fields_text()}")
    unknown = [name for name in names if name not in ALLOWED_FIELDS]
    if unknown:
        raise ExportRefused(
            f"field{'s' if len(unknown) > 1 else ''} not allowed in an export: {', '.join(unknown)}; "
            f"allowed: {allowed_fields_text()}"
        )
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ExportRefused(f"field named twice: {', '.join(repeated)}; name each once")
    return tuple(names)
