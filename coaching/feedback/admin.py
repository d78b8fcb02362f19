"""Admin of coaching.feedback."""
