"""Admin of coaching.improvement: read-only. Plans change only through their pages and
API, which check the version, keep the history and tell the rep; an admin edit would
bypass all three."""

from django.contrib import admin

from coaching.models import ImprovementCheckpoint, ImprovementEvent, ImprovementPlan


class ReadOnlyMixin:
    """Look, never write: no adding, changing or deleting here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CheckpointInline(ReadOnlyMixin, admin.TabularInline):
    model = ImprovementCheckpoint
    extra = 0
    fields = readonly_fields = ["due", "what", "result", "done_at"]


class EventInline(ReadOnlyMixin, admin.TabularInline):
    model = ImprovementEvent
    extra = 0
    fields = readonly_fields = ["kind", "text", "by", "at"]


@admin.register(ImprovementPlan)
class ImprovementPlanAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["rep", "manager", "starts_on", "ends_on", "outcome", "acknowledged_at"]
    list_filter = ["outcome"]
    list_select_related = ["rep", "manager"]
    search_fields = ["rep__first_name", "rep__last_name", "rep__username", "goals_text"]
    inlines = [CheckpointInline, EventInline]
