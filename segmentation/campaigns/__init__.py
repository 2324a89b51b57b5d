"""Campaigns of campaigns.yml (docs/rules/campaigns.md): validated before any model runs, compiled for the build."""
