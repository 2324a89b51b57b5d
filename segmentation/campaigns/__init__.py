"""Campaigns of campaigns.yml (spec section 11): validated before any model runs, compiled for the build."""
