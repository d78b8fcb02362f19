"""Pages for tasks."""
