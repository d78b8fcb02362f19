"""Admin for reporting configuration; each area registers its models in its own module."""
