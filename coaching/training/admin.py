"""Admin of coaching.training: the module catalogue (also written on /training/ by
managers) and the assignments, read-only: the pages, API and jobs write them (checking
the version, recurrence and who is told), which an admin edit would bypass."""

from django.contrib import admin

from coaching.models import TrainingAssignment, TrainingModule


@admin.register(TrainingModule)
class TrainingModuleAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "topic",
        "duration_minutes",
        "recurrence_months",
        "onboarding",
        "active",
    ]
    list_filter = ["active", "onboarding", "topic"]
    search_fields = ["title"]


@admin.register(TrainingAssignment)
class TrainingAssignmentAdmin(admin.ModelAdmin):
    list_display = ["module", "rep", "due", "source", "completed_at", "score", "confirmed_at"]
    list_filter = ["source", "module", "rep__team"]
    search_fields = ["rep__username", "rep__first_name", "rep__last_name", "module__title"]
    list_select_related = ["module", "rep"]
    date_hierarchy = "due"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
