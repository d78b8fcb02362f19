"""Admin of coaching.recognition."""
