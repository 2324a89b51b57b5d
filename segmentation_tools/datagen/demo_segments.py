"""The demo's user-defined segments: its segments file and the static list it names, beside the demo's raw files.

They are the demo's, as its campaigns are (demo_campaigns.py): `make build` names this file to the build, and a build
of your own data reads only the definitions you name (docs/segment-authors.md). The VIP list is of the demo's
customer ids; its last id is no customer of any demo, so the demo shows how such an id is reported (the warning test
`assert_static_segment_ids_are_customers`, and the preview) and never made a member.
"""

from __future__ import annotations

from pathlib import Path

SEGMENTS_FILE = "segments.yml"
LISTS_DIR = "segment_lists"
VIP_LIST_FILE = "vip_customers.csv"
VIP_CUSTOMER_IDS = (1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610, 987, 1597, 2584, 4181, 6765, 10946, 99999999)

SEGMENTS_YAML = f"""\
# The demo's user-defined segments (docs/segment-authors.md), written by the demo generator beside its raw files:
# validated before the build, evaluated on every recorded as-of date, listed in `segments` and
# `customer_segment_memberships` beside the built-in types. Preview one without a build:
#   .venv/bin/python -m segmentation.segments dynamic/lapsed_travellers
segments:
  - id: lapsed_travellers
    name: Lapsed travellers
    description: Bought travel before, but no travel in the last 90 days and nothing at all in the last week.
    type: dynamic
    criteria:
      purchased_categories: [Travel, Airlines, Hotels]
      travel_spend_last_90_days:
        operator: lte
        value: 0
      days_inactive: 7

  - id: california_big_spenders
    name: Big spenders in California
    description: More than 20,000 spent in all, living in California.
    type: dynamic
    criteria:
      location:
        states: [CA]
      total_spent:
        operator: gt
        value: 20000

  - id: vip_list
    name: VIP list
    description: The account managers' VIP list ({LISTS_DIR}/{VIP_LIST_FILE}).
    type: static
    customer_ids_file: {LISTS_DIR}/{VIP_LIST_FILE}

  - id: champions_at_risk_of_churn
    name: Champions who stopped buying travel
    description: RFM Champions or Loyal Customers whose travel spend in the last 90 days is below 10 %.
    type: dynamic
    criteria:
      any:
        - in_segment: rfm/champions
        - in_segment: rfm/loyal_customers
      travel_spend_pct:
        operator: lt
        value: 10

  - id: vips_losing_steam
    name: VIPs losing steam
    description: On the VIP list, or in the VIP value tier, with spend down more than 20 % on the prior 90 days.
    type: dynamic
    criteria:
      in_segment: [static/vip_list, value/vip]
      spend_change_pct: {{lt: -20}}
"""


def write_segments_file(out_dir: Path) -> Path:
    """Write the demo's segments file and the VIP list it names into `out_dir`; the segments file's path."""
    lists = out_dir / LISTS_DIR
    lists.mkdir(parents=True, exist_ok=True)
    (lists / VIP_LIST_FILE).write_text("customer_id\n" + "".join(f"{i}\n" for i in VIP_CUSTOMER_IDS), encoding="utf-8")
    path = out_dir / SEGMENTS_FILE
    path.write_text(SEGMENTS_YAML, encoding="utf-8")
    return path
