from django.contrib import admin

from activities.models import Activity, ActivityChange, Channel, Metric, Product


@admin.register(Metric)
class MetricAdmin(admin.ModelAdmin):
    list_display = ("name", "key", "unit", "kind", "active", "position")
    list_editable = ("active", "position")
    list_filter = ("unit", "kind", "active")
    prepopulated_fields = {"key": ("name",)}


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    list_display = ("name", "key", "active")
    list_editable = ("active",)
    prepopulated_fields = {"key": ("name",)}


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("name", "sku", "active")
    list_editable = ("active",)
    search_fields = ("name", "sku")


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ("day", "rep", "metric", "quantity", "channel", "product", "source")
    list_filter = ("metric", "source", "channel")
    list_select_related = ("rep", "metric", "channel", "product")
    date_hierarchy = "day"
    raw_id_fields = ("rep", "created_by")

    def has_change_permission(self, request, obj=None):
        return False  # changes go through the log, which keeps their history


@admin.register(ActivityChange)
class ActivityChangeAdmin(admin.ModelAdmin):
    list_display = ("at", "rep", "day", "action", "by")
    list_select_related = ("rep", "by")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
