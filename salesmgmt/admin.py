from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import ApiToken, CompanySettings, Division, Team, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "get_full_name", "role", "team", "rep_function", "is_active")
    list_filter = ("role", "team", "rep_function", "is_active")
    list_select_related = ("team",)
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (
            "Sales organisation",
            {"fields": ("role", "team", "division", "rep_function", "timezone")},
        ),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        ("Sales organisation", {"fields": ("role", "team", "division", "rep_function")}),
    )


@admin.register(Division)
class DivisionAdmin(admin.ModelAdmin):
    search_fields = ("name",)


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "division", "manager", "sales_model")
    list_filter = ("division", "sales_model")
    list_select_related = ("division", "manager")
    filter_horizontal = ("focus_metrics",)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        limit = CompanySettings.load().focus_metric_warning
        count = form.instance.focus_metrics.count()
        if count > limit:
            messages.warning(
                request,
                f"{form.instance} focuses on {count} metrics. Reps do best with a few; "
                f"consider {limit} or fewer.",
            )


@admin.register(CompanySettings)
class CompanySettingsAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return not CompanySettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("user", "prefix", "key_hash", "created_at", "last_used_at")
    list_select_related = ("user",)

    def has_add_permission(self, request):
        return False  # keys are created by their owner, who sees the key once
