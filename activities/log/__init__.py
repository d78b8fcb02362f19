"""The activity log: a rep's day, the activity list, and the ingest API."""
