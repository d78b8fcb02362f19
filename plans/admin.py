from django.contrib import admin

from .models import PlanEvent, PlanTarget, WeeklyPlan


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
