"""Admin of coaching.improvement: read-mostly; plans change through their pages and API,
which keep the history and tell the rep."""

from django.contrib import admin

from coaching.models import ImprovementCheckpoint, ImprovementEvent, ImprovementPlan


class CheckpointInline(admin.TabularInline):
    model = ImprovementCheckpoint
    extra = 0


class EventInline(admin.TabularInline):
    model = ImprovementEvent
    extra = 0
    can_delete = False
    readonly_fields = ["kind", "text", "by", "at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ImprovementPlan)
class ImprovementPlanAdmin(admin.ModelAdmin):
    list_display = ["rep", "manager", "starts_on", "ends_on", "outcome", "acknowledged_at"]
    list_filter = ["outcome"]
    list_select_related = ["rep", "manager"]
    search_fields = ["rep__first_name", "rep__last_name", "rep__username", "goals_text"]
    raw_id_fields = ["rep", "manager", "review", "miss"]
    filter_horizontal = ["goals", "sessions", "modules"]
    readonly_fields = ["created_at", "version"]
    inlines = [CheckpointInline, EventInline]
