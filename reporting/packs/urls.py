from datetime import date

from django.urls import path, register_converter

from reporting.company import views as company_views
from reporting.packs import views as report_views
from salesmgmt.calendar import parse_month


class YearMonthConverter:
    """2025-03 <-> date(2025, 3, 1); anything else does not match (404)."""

    regex = r"\d{4}-\d{2}"

    def to_python(self, value: str) -> date:
        month = parse_month(value)
        if month is None:
            raise ValueError(value)  # the URL does not match: 404
        return month

    def to_url(self, value: date) -> str:
        return f"{value:%Y-%m}"


register_converter(YearMonthConverter, "yearmonth")

app_name = "reports"

urlpatterns = [
    path("company/", company_views.company_monthly, name="company_monthly"),
    path("company/<yearmonth:month>/", company_views.company_monthly, name="company_monthly"),
    path("packs/", report_views.pack_list, name="packs"),
    path("packs/new/", report_views.pack_create, name="pack_create"),
    path("packs/<int:pk>/edit/", report_views.pack_edit, name="pack_edit"),
    path("packs/<int:pk>/delete/", report_views.pack_delete, name="pack_delete"),
    path("packs/<int:pk>/preview/", report_views.pack_preview, name="pack_preview"),
    path("packs/<int:pk>/send/", report_views.pack_send, name="pack_send"),
]
