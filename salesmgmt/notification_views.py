"""Pages for notifications."""
