from django.urls import include, path
from rest_framework.routers import DefaultRouter

from activities import api as activities_api
from activities import crm_api
from plans import api as plans_api
from salesmgmt import api, notification_api

router = DefaultRouter()
router.register("metrics", activities_api.MetricViewSet, basename="metric")
router.register("channels", activities_api.ChannelViewSet, basename="channel")
router.register("products", activities_api.ProductViewSet, basename="product")
router.register("teams", api.TeamViewSet, basename="team")
router.register("users", api.UserViewSet, basename="user")
router.register("activities", activities_api.ActivityViewSet, basename="activity")
router.register("weekly-plans", plans_api.WeeklyPlanViewSet, basename="weeklyplan")
router.register("customers", crm_api.CustomerViewSet, basename="customer")
router.register("contacts", crm_api.ContactViewSet, basename="contact")
router.register("lost-reasons", crm_api.LostReasonViewSet, basename="lostreason")
router.register("pipelines", crm_api.PipelineViewSet, basename="pipeline")
router.register("stages", crm_api.StageViewSet, basename="stage")
router.register("deals", crm_api.DealViewSet, basename="deal")
router.register("tasks", crm_api.TaskViewSet, basename="task")
router.register("notifications", notification_api.NotificationViewSet, basename="notification")

urlpatterns = [
    path("me/", api.me, name="api-me"),
    path("auth/token/", api.obtain_token, name="api-token"),
    path("activities/bulk/", activities_api.ingest, name="activity-bulk"),
    path("deals/bulk/", crm_api.deal_bulk, name="deal-bulk"),
    path(
        "notifications/preferences/",
        notification_api.notification_preferences,
        name="notification-preferences",
    ),
    path("reports/funnel/", crm_api.funnel_report, name="report-funnel"),
    path("reports/forecast/", crm_api.forecast_report, name="report-forecast"),
    # Goals, KPIs, dashboards, reviews, commissions: each area routes its own endpoints.
    path("", include("plans.goal_api")),
    path("", include("reporting.kpi_api")),
    path("", include("reporting.dashboard_api")),
    path("", include("reporting.company_api")),
    path("", include("reporting.review_api")),
    path("", include("reporting.commission_api")),
    path("", include("reporting.report_api")),
    path("", include(router.urls)),
]
