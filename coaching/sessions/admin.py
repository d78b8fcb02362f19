"""Admin of coaching.sessions."""
