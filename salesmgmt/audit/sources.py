"""The core's own audited models: people (their role, team and powers) and the company
settings; both are edited in the admin, whose pages show their history."""

from django.urls import reverse

from salesmgmt.audit.registry import register_history
from salesmgmt.models import CompanySettings, User


def register():
    register_history(
        User,
        key="user",
        name="username",
        url=lambda pk: reverse("admin:salesmgmt_user_change", args=[pk]),
    )
    register_history(
        CompanySettings,
        key="company_settings",
        name="name",
        url=lambda pk: reverse("admin:salesmgmt_companysettings_change", args=[pk]),
    )
