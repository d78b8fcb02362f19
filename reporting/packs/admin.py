"""Admin for report packs and their deliveries (the pages under /reports/packs/ do the same
with validation of the addresses; the admin is for looking things up)."""

from django import forms
from django.contrib import admin

from reporting.models import ReportKind, ReportPack, ReportPackDelivery
from reporting.packs.services import parse_extra_emails


class ReportPackAdminForm(forms.ModelForm):
    """The same checks as the pack pages: a bad address or report kind saved here would make
    the monthly job (and the preview) fail on this pack."""

    reports = forms.MultipleChoiceField(
        choices=ReportKind.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = ReportPack
        fields = [
            "name",
            "reports",
            "recipients",
            "extra_emails",
            "day_of_month",
            "hour",
            "active",
            "created_by",
        ]

    def clean_reports(self):
        chosen = self.cleaned_data["reports"]
        return [kind for kind in ReportKind.values if kind in chosen]  # the catalogue's order

    def clean_extra_emails(self):
        return "\n".join(parse_extra_emails(self.cleaned_data["extra_emails"]))


class DeliveryInline(admin.TabularInline):
    model = ReportPackDelivery
    extra = 0
    fields = ["month", "sent_at", "recipients"]
    readonly_fields = fields
    can_delete = True


@admin.register(ReportPack)
class ReportPackAdmin(admin.ModelAdmin):
    form = ReportPackAdminForm
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
