"""Admin for monthly reviews: read the figures, fix a stuck status; the job builds them."""

from django.contrib import admin

from reporting.models import MonthlyReview, ReviewActionItem, ReviewMiss


class ReviewMissInline(admin.TabularInline):
    model = ReviewMiss
    extra = 0
    fields = ["key", "label", "expected", "actual", "root_cause", "note", "stale"]
    readonly_fields = ["key", "label", "expected", "actual", "stale"]


class ReviewActionItemInline(admin.TabularInline):
    model = ReviewActionItem
    extra = 0
    fields = ["text", "due", "task", "created_by", "created_at"]
    readonly_fields = ["task", "created_by", "created_at"]


@admin.register(MonthlyReview)
class MonthlyReviewAdmin(admin.ModelAdmin):
    list_display = ["rep", "month", "status", "generated_at", "shared_at", "acknowledged_at"]
    list_filter = ["status", "month", "rep__team"]
    search_fields = ["rep__username", "rep__first_name", "rep__last_name"]
    list_select_related = ["rep"]
    date_hierarchy = "month"
    raw_id_fields = ["rep", "shared_by"]
    readonly_fields = ["figures", "generated_at", "version"]
    inlines = [ReviewMissInline, ReviewActionItemInline]
