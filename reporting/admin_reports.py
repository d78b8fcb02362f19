"""Admin for report packs and their deliveries (the pages under /reports/packs/ do the same
with validation of the addresses; the admin is for looking things up)."""

from django.contrib import admin

from .models import ReportPack, ReportPackDelivery


class DeliveryInline(admin.TabularInline):
    model = ReportPackDelivery
    extra = 0
    fields = ["month", "sent_at", "recipients"]
    readonly_fields = fields
    can_delete = True


@admin.register(ReportPack)
class ReportPackAdmin(admin.ModelAdmin):
    list_display = ["name", "day_of_month", "hour", "active", "created_by"]
    list_filter = ["active"]
    search_fields = ["name", "extra_emails"]
    filter_horizontal = ["recipients"]
    raw_id_fields = ["created_by"]
    inlines = [DeliveryInline]


@admin.register(ReportPackDelivery)
class ReportPackDeliveryAdmin(admin.ModelAdmin):
    list_display = ["pack", "month", "sent_at"]
    list_filter = ["month"]
    search_fields = ["pack__name", "recipients"]
    readonly_fields = ["sent_at"]
