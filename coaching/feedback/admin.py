"""Admin of coaching.feedback: the questions and the periods, which admins configure.

The anonymous answers (FeedbackSubmission, FeedbackRating) and the "has answered"
markers (FeedbackAnswered) are deliberately not registered: the admin would list
submissions next to each other (and, were markers listed, answered people beside
them), and every change an admin made would leave a LogEntry naming both the admin
and the object. Their figures are read on the results page, under the threshold rule;
nothing an administrator needs to fix lives in them. Signed feedback is registered
read-only: it is signed, but only its author and its manager write it.
"""

from django.contrib import admin

from coaching.models import FeedbackPeriod, FeedbackQuestion, SignedFeedback


@admin.register(FeedbackQuestion)
class FeedbackQuestionAdmin(admin.ModelAdmin):
    list_display = ("name", "key", "active", "position")
    list_editable = ("active", "position")
    list_filter = ("active",)
    prepopulated_fields = {"key": ("name",)}


@admin.register(FeedbackPeriod)
class FeedbackPeriodAdmin(admin.ModelAdmin):
    list_display = ("__str__", "start", "end", "closes_on")
    date_hierarchy = "start"


@admin.register(SignedFeedback)
class SignedFeedbackAdmin(admin.ModelAdmin):
    list_display = ("author", "manager", "period", "created_at")
    list_select_related = ("author", "manager", "period")
    readonly_fields = ("author", "manager", "period", "text", "created_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
