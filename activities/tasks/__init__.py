"""Tasks: a rep's day, the team board, task history, reminders and digests, API."""
