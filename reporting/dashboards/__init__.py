"""The rep and team dashboards (pages, API, CSV)."""
