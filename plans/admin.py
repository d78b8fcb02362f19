from django.contrib import admin

from plans.models import Goal, GoalChange, PlanEvent, PlanTarget, WeeklyPlan
from salesmgmt.audit.admin import AuditHistoryAdmin


class PlanTargetInline(admin.TabularInline):
    model = PlanTarget
    extra = 0


class PlanEventInline(admin.TabularInline):
    model = PlanEvent
    extra = 0
    readonly_fields = ("kind", "by", "at", "comment", "notified_at")
    can_delete = False


@admin.register(WeeklyPlan)
class WeeklyPlanAdmin(admin.ModelAdmin):
    """Read-only: plans belong to reps and change only through the plan cycle."""

    list_display = ("rep", "week_start", "status", "submitted_at", "reviewed_by")
    list_filter = ("status", "week_start")
    list_select_related = ("rep", "reviewed_by")
    inlines = [PlanTargetInline, PlanEventInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class GoalChangeInline(admin.TabularInline):
    model = GoalChange
    extra = 0
    fields = (
        "at",
        "action",
        "by",
        "old_target",
        "new_target",
        "old_stretch",
        "new_stretch",
        "reason",
    )
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Goal)
class GoalAdmin(AuditHistoryAdmin, admin.ModelAdmin):
    """Read-only here: goals are set and changed on the goals pages (or the API), so
    that every change keeps its history and the reps concerned are told."""

    list_display = ("owner_label", "scope", "metric", "period", "start", "end", "target")
    list_filter = ("scope", "period", "metric", "start", "team", "division")
    search_fields = ("rep__first_name", "rep__last_name", "team__name", "division__name")
    list_select_related = ("rep", "team", "division", "metric")
    date_hierarchy = "start"
    inlines = [GoalChangeInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(GoalChange)
class GoalChangeAdmin(admin.ModelAdmin):
    """The goals' history: read-only."""

    list_display = ("at", "action", "goal_label", "by", "old_target", "new_target")
    list_filter = ("action", "at")
    search_fields = ("goal_label", "reason")
    list_select_related = ("by",)
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
