"""Which capability of the warehouse each dbt node's time is spent on: the rule the benchmark's cost-by-capability
table applies (docs/performance.md, "Cost by capability").

The rule reads a node's resource type and its file's path in dbt's manifest, first match wins:

1. data tests and unit tests are `tests`, whatever model they are attached to: the table answers what checking
   costs beside what building costs;
2. the snapshot is `history` (it versions the customers for dim_customer), a seed is `staging` (reference data
   read as it is, which the transactions' categories join), the on-run hooks are `hooks`, and the exposures
   (the dashboard, service and exports, which dbt lists in a build as no-op nodes) are `exposures`;
3. a model under `models/staging/` is `staging`; one in a subfolder of `models/marts/` takes that folder's
   capability (MART_FOLDERS);
4. a model in `models/intermediate/` or directly in `models/marts/` shares its folder with every capability, so it is
   named in SHARED_FOLDER_MODELS with the capability it is built for;
5. anything else is `other`: a new folder, or a new model in a shared folder that nobody has placed yet. A unit test
   holds the project's own manifest to no model in `other`.

`loading` is not a dbt node: it is the loader's wall time, which the benchmark measures as its own command.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from pathlib import PurePosixPath
from typing import Any


class Capability(str, enum.Enum):
    """The groups, in the order the table lists them; the value is the label printed and written to JSON."""

    LOADING = "loading"
    STAGING = "staging"
    WINDOWS_AND_SEGMENTS = "windows and segments"
    CATALOG = "catalog"
    HISTORY = "history"
    CAMPAIGNS = "campaigns"
    LIFETIME_VALUE = "lifetime value"
    COHORTS = "cohorts"
    BEHAVIOUR = "behaviour"
    TESTS = "tests"
    HOOKS = "hooks"
    EXPOSURES = "exposures"
    OTHER = "other"


MART_FOLDERS: Mapping[str, Capability] = {
    "catalog": Capability.CATALOG,
    "history": Capability.HISTORY,
    "campaigns": Capability.CAMPAIGNS,
    "clv": Capability.LIFETIME_VALUE,
    "cohorts": Capability.COHORTS,
    "behaviour": Capability.BEHAVIOUR,
}

_STAGING = Capability.STAGING
_WINDOWS = Capability.WINDOWS_AND_SEGMENTS
_CATALOG = Capability.CATALOG
_CAMPAIGNS = Capability.CAMPAIGNS

# The models of the two shared folders, by the capability they are built for (the one their documentation
# gives them), not by every mart downstream: int_customers_summarized also feeds lifetime value and behaviour, but
# it is the per-customer aggregate the windows read. Matching every file's rows to known customers, categorising,
# and the rejects and counts of the raw rows are staging's work of making the raw rows usable; the consent and
# channel models serve the campaigns.
SHARED_FOLDER_MODELS: Mapping[str, Capability] = {
    # models/intermediate/
    "int_transaction_copies_matched": _STAGING,
    "int_transactions_matched": _STAGING,
    "int_transactions_unmatched": _STAGING,
    "int_transactions_categorized": _STAGING,
    "int_behavior_events_matched": _STAGING,
    "int_behavior_events_unmatched": _STAGING,
    "int_campaign_deliveries_matched": _STAGING,
    "int_campaign_deliveries_unmatched": _STAGING,
    "int_customer_preferences_matched": _STAGING,
    "int_customer_preferences_unmatched": _STAGING,
    "int_suppressions_matched": _STAGING,
    "int_suppressions_unmatched": _STAGING,
    "int_products_listed": _STAGING,
    "int_raw_rows_counted": _STAGING,
    "int_raw_rows_rejected": _STAGING,
    "int_as_of_dates_windowed": _WINDOWS,
    "int_purchase_days_aggregated": _WINDOWS,
    "int_customers_summarized": _WINDOWS,
    "int_customers_tenured": _WINDOWS,
    "int_customers_windowed": _WINDOWS,
    "int_customers_scored_rfm": _WINDOWS,
    "int_customers_segmented": _WINDOWS,
    "int_customers_cataloged": _CATALOG,
    "int_customers_featured": _CATALOG,
    "int_customers_products_bought": _CATALOG,
    "int_customers_user_segmented": _CATALOG,
    "int_segments_defined": _CATALOG,
    "int_user_segments_compiled": _CATALOG,
    "int_segments_combined": _CATALOG,
    "int_segment_memberships_listed": _CATALOG,
    "int_segment_members_summarized": _CATALOG,
    "int_customer_statuses_versioned": _CAMPAIGNS,
    "int_customer_channels_judged": _CAMPAIGNS,
    "int_customer_channels_joined": _CAMPAIGNS,
    "int_campaign_deliveries_checked": _CAMPAIGNS,
    "int_campaigns_compiled": _CAMPAIGNS,
    "int_campaigns_channeled": _CAMPAIGNS,
    "int_customers_calibrated": Capability.LIFETIME_VALUE,
    "int_customers_acquired": Capability.COHORTS,
    "int_customers_events_windowed": Capability.BEHAVIOUR,
    # models/marts/
    "customer_segments": _WINDOWS,
    "segment_criteria_fields": _CATALOG,
    "dim_customer": Capability.HISTORY,
    "dim_product": _STAGING,
    "rejected_rows": _STAGING,
    "data_quality_report": _STAGING,
}

SHARED_FOLDERS = (("intermediate",), ("marts",))
TEST_TYPES = frozenset({"test", "unit_test"})


def model_capability(name: str, path: str) -> Capability:
    """A model's capability from its file's path in the project (`models/marts/clv/clv_model_fits.py`)."""
    parts = PurePosixPath(path).parts
    if len(parts) < 2 or parts[0] != "models":
        return Capability.OTHER
    folder = parts[1:-1]
    if folder[:1] == ("staging",):
        return Capability.STAGING
    if len(folder) >= 2 and folder[0] == "marts" and folder[1] in MART_FOLDERS:
        return MART_FOLDERS[folder[1]]
    if folder in SHARED_FOLDERS:
        return SHARED_FOLDER_MODELS.get(name, Capability.OTHER)
    return Capability.OTHER


def capability_of(node: Mapping[str, Any]) -> Capability:
    """The capability of one manifest node (an entry of `nodes`, `unit_tests`, `exposures` or `disabled`)."""
    kind = node["resource_type"]
    if kind in TEST_TYPES:
        return Capability.TESTS
    if kind == "snapshot":
        return Capability.HISTORY
    if kind == "seed":
        return Capability.STAGING
    if kind == "operation":
        return Capability.HOOKS
    if kind == "exposure":
        return Capability.EXPOSURES
    if kind == "model":
        return model_capability(node["name"], node["original_file_path"])
    return Capability.OTHER


def node_capabilities(manifest: Mapping[str, Any]) -> dict[str, Capability]:
    """unique_id -> capability for every node, unit test and exposure of a manifest (dbt's target/manifest.json):
    whatever a build's run_results can list."""
    nodes: Iterable[Mapping[str, Any]] = [
        *manifest.get("nodes", {}).values(),
        *manifest.get("unit_tests", {}).values(),
        *manifest.get("exposures", {}).values(),
    ]
    return {node["unique_id"]: capability_of(node) for node in nodes}


def result_capability(unique_id: str, known: Mapping[str, Capability]) -> Capability:
    """The capability of a run_results node: the manifest's, or, for an id the manifest lacks, what its kind says."""
    if unique_id in known:
        return known[unique_id]
    kind = unique_id.split(".", 1)[0]
    if kind == "model":
        return Capability.OTHER  # a model is placed by its file's path, which only the manifest has
    return capability_of({"resource_type": kind})


def capability_seconds(
    node_seconds: Mapping[str, float], known: Mapping[str, Capability], load_seconds: float | None
) -> dict[Capability, float]:
    """Summed node time per capability, every capability present (0.0 where none ran), loading the loader's time.

    Loading is absent (not 0.0) when the loader was not timed, so it is neither a figure nor part of a total."""
    totals: dict[Capability, float] = {Capability.LOADING: load_seconds} if load_seconds is not None else {}
    totals.update({capability: 0.0 for capability in Capability if capability is not Capability.LOADING})
    for unique_id, seconds in node_seconds.items():
        totals[result_capability(unique_id, known)] += seconds
    return totals


def capability_nodes(node_seconds: Mapping[str, float], known: Mapping[str, Capability]) -> dict[Capability, int]:
    """How many run_results nodes fell in each capability (loading has none)."""
    counts: dict[Capability, int] = {capability: 0 for capability in Capability if capability is not Capability.LOADING}
    for unique_id in node_seconds:
        counts[result_capability(unique_id, known)] += 1
    return counts
