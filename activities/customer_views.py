"""Pages for customers."""
