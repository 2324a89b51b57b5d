"""The pages, in the navigation's order."""

from __future__ import annotations

# (file under views/, title, url path): the order of the navigation.
PAGES = (
    ("views/overview.py", "Overview", "overview"),
    ("views/migrations.py", "Migrations", "migrations"),
    ("views/segments.py", "Segments", "segments"),
    ("views/analytics.py", "Segment analytics", "analytics"),
    ("views/builder.py", "Segment builder", "builder"),
    ("views/cohorts.py", "Cohorts", "cohorts"),
    ("views/value.py", "Value and churn", "value"),
    ("views/campaigns.py", "Campaigns", "campaigns"),
    ("views/journeys.py", "Journeys and daily performance", "journeys"),
)
