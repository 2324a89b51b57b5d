"""Segment builder: a form for the common criteria and a YAML box for the rest, validated by the build's own code,
previewed on the published warehouse, saved to the segments file the warehouse is built from, for the next build."""

from __future__ import annotations

import streamlit as st
import yaml

from dashboard import builder, data
from segmentation.segments.definitions import DefinitionErrors

BEHAVIORAL = ("High-Value Travelers", "Declining", "New & Growing", "Budget-Conscious", "Stable Mid-Spenders")

st.title("Segment builder")
saved_to = builder.segments_file(data.database_path())
if saved_to is None:
    st.caption(
        "Definitions are written in the segment language (docs/segment-authors.md). This warehouse was built "
        "without a segments file, so they can be checked and previewed here but not saved: set "
        f"{builder.SEGMENTS_FILE_VARIABLE}=<your segments.yml> for the dashboard, and build with it "
        "(make warehouse SEGMENTS_FILE=...)."
    )
else:
    st.caption(
        f"Definitions are written in the segment language (docs/segment-authors.md) and saved to {saved_to}; "
        "the next build evaluates them on every recorded date."
    )

catalog = (
    data.query("select segment_id, segment_type from segments order by segment_id") if data.has("segments") else None
)
builtin_ids = (
    [row.segment_id for row in catalog.itertuples() if row.segment_type not in ("static", "dynamic")]
    if catalog is not None
    else None
)
with st.form("segment"):
    left, right = st.columns(2)
    slug = left.text_input("Id (lower case, digits, _)", key="builder_slug")
    name = right.text_input("Name", key="builder_name")
    description = st.text_input("Description", key="builder_description")
    left, right = st.columns(2)
    segment_type = left.selectbox("Type", ["dynamic", "static"], key="builder_type")
    status = right.selectbox("Status", ["active", "draft", "archived"], key="builder_status")
    st.markdown("**Common criteria** (all must hold; leave at 0 or empty to ignore)")
    left, right = st.columns(2)
    behavioral = left.multiselect("Behavioural segment is one of", BEHAVIORAL, key="builder_behavioral")
    in_segments = right.multiselect(
        "In any of these segments",
        [] if catalog is None else list(catalog["segment_id"]),
        key="builder_in_segments",
    )
    countries = left.text_input("Countries (comma-separated)", key="builder_countries")
    min_monetary = right.number_input(
        "Spent at least (last 365 days)", min_value=0.0, step=100.0, key="builder_min_monetary"
    )
    min_frequency = left.number_input(
        "Purchases at least (last 365 days)", min_value=0, step=1, key="builder_min_frequency"
    )
    recency_days = right.number_input("Bought within the last N days", min_value=0, step=1, key="builder_recency_days")
    days_inactive = left.number_input(
        "No purchase in the last N days", min_value=0, step=1, key="builder_days_inactive"
    )
    customer_ids = right.text_input("Customer ids (static segments, comma-separated)", key="builder_customer_ids")
    extra = st.text_area(
        "More criteria (YAML, the segment language)",
        placeholder="total_orders: {gte: 3}\nany:\n  - in_segment: rfm/champions\n  - churn_probability: {lt: 0.2}",
        key="builder_yaml",
    )
    action_left, action_right = st.columns(2)
    validate = action_left.form_submit_button("Validate and preview")
    save = action_right.form_submit_button("Save to the segments file", disabled=saved_to is None)

if validate or save:
    try:
        entry = builder.definition(
            builder.Form(
                slug=slug.strip(),
                name=name.strip(),
                description=description.strip(),
                segment_type=segment_type,
                status=status,
                behavioral_segments=tuple(behavioral),
                in_segments=tuple(in_segments),
                countries=tuple(value.strip() for value in countries.split(",") if value.strip()),
                min_monetary=float(min_monetary),
                min_frequency=int(min_frequency),
                recency_days=int(recency_days),
                days_inactive=int(days_inactive),
                extra_criteria=extra,
                customer_ids=tuple(int(value) for value in customer_ids.replace(" ", "").split(",") if value),
            )
        )
    except (ValueError, yaml.YAMLError) as error:
        st.error(f"Not a definition: {error}")
        st.stop()
    st.code(builder.entry_text(entry), language="yaml")
    try:
        result = (
            builder.save(entry, saved_to, builtin_ids)
            if save and saved_to is not None
            else builder.check(entry, saved_to, builtin_ids)
        )
    except DefinitionErrors as errors:
        st.error("The build would refuse this definition:\n\n" + "\n\n".join(f"`{error}`" for error in errors.errors))
        st.stop()
    if data.has(builder.FIELDS_MART):
        as_of, customers = data.query(
            f"select max(as_of_date) as as_of, count(*) as customers from {builder.FIELDS_MART}"
        ).iloc[0]
        members = builder.preview_count(result, lambda sql: int(data.scalar(sql)))
        share = members / customers * 100 if customers else 0.0
        st.metric(f"Members as of {as_of:%Y-%m-%d} (preview)", f"{members:,}", help=f"{share:.2f} % of {customers:,}")
    else:
        st.info(f"`{builder.FIELDS_MART}`: {data.NOT_BUILT}; the definition is valid but cannot be previewed.")
    if save:
        st.success(f"Saved {result.segment.segment_id} to {saved_to}; the next build adds it to the catalog.")
    else:
        st.success(f"{result.segment.segment_id} is valid.")
