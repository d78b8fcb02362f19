from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path, register_converter
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import cache_control
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from plans.weekly import views as weekly_views
from salesmgmt import api_support
from salesmgmt import views as core_views
from salesmgmt.converters import IsoDateConverter
from salesmgmt.org import views
from salesmgmt.org.forms import PasswordResetForm

register_converter(IsoDateConverter, "isodate")
admin.site.site_header = admin.site.site_title = _("Salesmgmt administration")

# Under /api/ errors answer in the API's JSON error shape; elsewhere the usual pages.
handler400 = api_support.handler400
handler403 = api_support.handler403
handler404 = api_support.handler404
handler500 = api_support.handler500

urlpatterns = [
    path("", weekly_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("favicon.ico", core_views.favicon),
    path("language/", core_views.set_language, name="set_language"),
    # The interface's strings for static/js (gettext() in the browser), per language.
    path(
        "jsi18n/",
        login_not_required(cache_control(max_age=86400)(JavaScriptCatalog.as_view())),
        name="javascript-catalog",
    ),
    # The reset e-mail in the language of the account's owner (salesmgmt.org.forms).
    path(
        "accounts/password_reset/",
        auth_views.PasswordResetView.as_view(form_class=PasswordResetForm),
        name="password_reset",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("profile/", views.profile, name="profile"),
    path("profile/tokens/", views.token_create, name="token_create"),
    path("profile/tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("", include("salesmgmt.calendar_feeds.urls")),
    path("people/lookup/", views.people_lookup, name="people_lookup"),
    path("teams/", views.team_list, name="team_list"),
    path("teams/<int:pk>/focus/", views.team_focus, name="team_focus"),
    path("plans/", include("plans.weekly.urls")),
    path("activities/", include("activities.log.urls")),
    path("customers/", include("activities.customers.urls")),
    path("", include("activities.deals.urls")),
    path("", include("reporting.funnel.urls")),
    path("tasks/", include("activities.tasks.urls")),
    path("search/", include("activities.search.urls")),
    path("notifications/", include("salesmgmt.notifications.urls")),
    path("imports/", include("salesmgmt.imports.urls")),
    path("audit/", include("salesmgmt.audit.urls")),
    path("goals/", include("plans.goals.urls")),
    path("kpis/", include("reporting.kpis.urls")),
    path("dashboard/", include("reporting.dashboards.urls")),
    path("company/", include("reporting.company.urls")),
    path("reviews/", include("reporting.reviews.urls")),
    path("commissions/", include("reporting.commissions.urls")),
    path("reports/", include("reporting.packs.urls")),
    path("coaching/", include("coaching.sessions.urls")),
    path("recognition/", include("coaching.recognition.urls")),
    path("training/", include("coaching.training.urls")),
    path("feedback/", include("coaching.feedback.urls")),
    path("improvement-plans/", include("coaching.improvement.urls")),
    path("webhooks/", include("salesmgmt.webhooks.urls")),
    path("api/v1/", include("salesmgmt.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Split: Swagger UI's set-up script is its own response (?script), not an inline
    # <script> the Content-Security-Policy would refuse.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]
