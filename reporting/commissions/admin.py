"""Admin for commission plans (edited here) and statements (read-only: the job writes them)."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from reporting.models import (
    BonusRule,
    CommissionPlan,
    CommissionStatement,
    CommissionTier,
    StatementLine,
)
from salesmgmt.audit.admin import AuditHistoryAdmin


class CommissionPlanForm(forms.ModelForm):
    class Meta:
        model = CommissionPlan
        fields = ["name", "rate", "cap", "quota_metric", "reps", "active"]

    def clean(self):
        """A rep on two active plans would be paid twice for the same deal: refuse it."""
        cleaned = super().clean()
        reps = cleaned.get("reps")
        if cleaned.get("active") and reps:
            elsewhere = (
                CommissionPlan.reps.through.objects.filter(
                    user__in=reps, commissionplan__active=True
                )
                .exclude(commissionplan_id=self.instance.pk)
                .values_list("user__username", "commissionplan__name")
            )
            taken = [f"{username} ({plan})" for username, plan in elsewhere]
            if taken:
                raise ValidationError(
                    {
                        "reps": _(
                            "A rep is on one active plan at a time; already on another: %(reps)s"
                        )
                        % {"reps": ", ".join(sorted(taken))}
                    }
                )
        return cleaned


class TierFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        rate = self.instance.rate
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or form.cleaned_data.get("DELETE"):
                continue
            tier_rate = form.cleaned_data.get("rate")
            if tier_rate is not None and rate is not None and tier_rate < rate:
                form.add_error(
                    "rate",
                    _("An accelerator pays at least the plan's rate (%(rate)s%%).")
                    % {"rate": rate},
                )


class TierInline(admin.TabularInline):
    model = CommissionTier
    formset = TierFormSet
    extra = 0
    fields = ("attainment_from", "rate")


class BonusInline(admin.TabularInline):
    model = BonusRule
    extra = 0
    fields = ("name", "attainment_at_least", "amount")


@admin.register(CommissionPlan)
class CommissionPlanAdmin(AuditHistoryAdmin, admin.ModelAdmin):
    form = CommissionPlanForm
    list_display = ("name", "rate", "cap", "quota_metric", "active")
    list_filter = ("active",)
    search_fields = ("name",)
    filter_horizontal = ("reps",)
    inlines = [TierInline, BonusInline]


class StatementLineInline(admin.TabularInline):
    model = StatementLine
    fields = ("position", "kind", "description", "deal", "base", "rate", "amount")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CommissionStatement)
class CommissionStatementAdmin(admin.ModelAdmin):
    """Statements are computed (``compute_commission_statements --month``), never typed."""

    list_display = (
        "month",
        "rep",
        "plan",
        "credited_value",
        "attainment",
        "commission",
        "bonus",
        "total",
    )
    list_filter = ("month", "plan")
    list_select_related = ("rep", "plan")
    search_fields = ("rep__username", "rep__first_name", "rep__last_name")
    date_hierarchy = "month"
    inlines = [StatementLineInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
