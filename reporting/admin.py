"""Admin for reporting configuration; each area registers its models in its own module."""

from reporting import admin_commissions, admin_kpis, admin_reports, admin_reviews  # noqa: F401
