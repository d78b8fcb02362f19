"""Admin of coaching.improvement."""
