"""The demo company (`manage.py seed_demo`): wiring, so it may import every app."""
