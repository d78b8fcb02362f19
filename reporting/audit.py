"""The reporting app in the audit trail: KPI definitions and commission plans with their
tiers and bonus rules (edited in the admin: their pages there show the history)."""

from django.urls import reverse

from reporting.models import BonusRule, CommissionPlan, CommissionTier, Kpi
from salesmgmt.audit.registry import register_history


def register():
    register_history(
        Kpi, key="kpi", name="name", url=lambda pk: reverse("admin:reporting_kpi_change", args=[pk])
    )
    register_history(
        CommissionPlan,
        key="commission_plan",
        name="name",
        url=lambda pk: reverse("admin:reporting_commissionplan_change", args=[pk]),
    )
    register_history(CommissionTier, key="commission_tier", parent=("commission_plan", "plan_id"))
    register_history(
        BonusRule, key="bonus_rule", name="name", parent=("commission_plan", "plan_id")
    )
