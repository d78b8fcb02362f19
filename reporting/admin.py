"""Admin for reporting configuration; each feature registers its models in its own admin module."""

from reporting.commissions import admin as commissions_admin  # noqa: F401
from reporting.kpis import admin as kpis_admin  # noqa: F401
from reporting.packs import admin as packs_admin  # noqa: F401
from reporting.reviews import admin as reviews_admin  # noqa: F401
