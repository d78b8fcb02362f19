"""Deals: the pipeline board, deal pages, moves between stages, stale-deal alerts, API."""
