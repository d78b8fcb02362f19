"""Admin registrations (filled by its area)."""
