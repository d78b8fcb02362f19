"""Pages for deals."""
