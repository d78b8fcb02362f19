from django.contrib import admin
from django.urls import include, path, register_converter
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from salesmgmt import api_support, views
from salesmgmt.converters import IsoDateConverter

register_converter(IsoDateConverter, "isodate")
admin.site.site_header = admin.site.site_title = "Salesmgmt administration"

# Under /api/ errors answer in the API's JSON error shape; elsewhere the usual pages.
handler400 = api_support.handler400
handler403 = api_support.handler403
handler404 = api_support.handler404
handler500 = api_support.handler500

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon),
    path("accounts/", include("django.contrib.auth.urls")),
    path("profile/", views.profile, name="profile"),
    path("profile/tokens/", views.token_create, name="token_create"),
    path("profile/tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("teams/", views.team_list, name="team_list"),
    path("teams/<int:pk>/focus/", views.team_focus, name="team_focus"),
    path("plans/", include("plans.urls")),
    path("activities/", include("activities.urls")),
    path("customers/", include("activities.customer_urls")),
    path("", include("activities.deal_urls")),
    path("tasks/", include("activities.task_urls")),
    path("notifications/", include("salesmgmt.notification_urls")),
    path("goals/", include("plans.goal_urls")),
    path("kpis/", include("reporting.kpi_urls")),
    path("dashboard/", include("reporting.dashboard_urls")),
    path("company/", include("reporting.company_urls")),
    path("reviews/", include("reporting.review_urls")),
    path("commissions/", include("reporting.commission_urls")),
    path("reports/", include("reporting.report_urls")),
    path("api/v1/", include("salesmgmt.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Split: Swagger UI's set-up script is its own response (?script), not an inline
    # <script> the Content-Security-Policy would refuse.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]
