"""Admin for KPI definitions, company holidays (they drive pace) and deviation episodes
(read-only: the daily job writes them)."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from reporting.models import DeviationAction, DeviationEpisode, Kpi, KpiDirection, KpiKind
from salesmgmt.audit.admin import AuditHistoryAdmin
from salesmgmt.models import Holiday

# The fields each kind needs (and only it uses).
NEEDS = {
    KpiKind.METRIC_TOTAL: ("metric",),
    KpiKind.RATIO: ("metric", "denominator"),
    KpiKind.STAGE_CONVERSION: ("stage",),
}


class KpiForm(forms.ModelForm):
    class Meta:
        model = Kpi
        fields = [
            "key",
            "name",
            "description",
            "kind",
            "metric",
            "denominator",
            "stage",
            "period",
            "target",
            "amber_threshold",
            "red_threshold",
            "direction",
            "active",
            "position",
        ]

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        errors = {}
        needed = NEEDS.get(kind, ())
        for name in ("metric", "denominator", "stage"):
            if name in needed and not cleaned.get(name):
                errors[name] = gettext("A KPI of the kind “%(kind)s” needs this.") % {
                    "kind": KpiKind(kind).label
                }
            elif name not in needed and cleaned.get(name):
                errors[name] = gettext(
                    "A KPI of the kind “%(kind)s” does not use this; leave it empty."
                ) % {"kind": KpiKind(kind).label}
        if (
            kind == KpiKind.RATIO
            and cleaned.get("metric")
            and cleaned.get("metric") == cleaned.get("denominator")
        ):
            errors["denominator"] = gettext("A ratio of a metric to itself is always 100%.")
        amber, red = cleaned.get("amber_threshold"), cleaned.get("red_threshold")
        target, direction = cleaned.get("target"), cleaned.get("direction")
        if None not in (amber, red, target) and direction:
            if direction == KpiDirection.HIGHER and not red <= amber <= target:
                errors["amber_threshold"] = gettext(
                    "When higher is better: red threshold ≤ amber threshold ≤ target."
                )
            if direction == KpiDirection.LOWER and not target <= amber <= red:
                errors["amber_threshold"] = gettext(
                    "When lower is better: target ≤ amber threshold ≤ red threshold."
                )
        if errors:
            raise ValidationError(errors)
        return cleaned


@admin.register(Kpi)
class KpiAdmin(AuditHistoryAdmin, admin.ModelAdmin):
    form = KpiForm
    list_display = (
        "name",
        "kind",
        "period",
        "target",
        "amber_threshold",
        "red_threshold",
        "direction",
        "active",
        "position",
    )
    list_editable = ("active", "position")
    list_filter = ("kind", "period", "active")
    list_select_related = ("metric", "denominator", "stage")
    prepopulated_fields = {"key": ("name",)}
    search_fields = ("name", "key")


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ("day", "name")
    date_hierarchy = "day"
    search_fields = ("name",)


class DeviationActionInline(admin.TabularInline):
    """What managers did about the alert (recorded on its page, read here)."""

    model = DeviationAction
    fields = ("at", "by", "kind", "text", "task", "snoozed_until")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(DeviationEpisode)
class DeviationEpisodeAdmin(admin.ModelAdmin):
    inlines = [DeviationActionInline]
    list_display = (
        "__str__",
        "rep",
        "team",
        "division",
        "severity",
        "opened_on",
        "worsened_on",
        "closed_on",
        "actual",
        "expected",
    )
    list_filter = ("severity", "closed_on", "kpi")
    list_select_related = ("goal__metric", "kpi", "rep", "team", "division")
    date_hierarchy = "opened_on"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
