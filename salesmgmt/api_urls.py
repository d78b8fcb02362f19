from django.urls import include, path
from rest_framework.routers import DefaultRouter

from activities.catalogue import api as activities_api
from activities.catalogue import api as crm_api
from activities.customers import api as customers_api
from activities.deals import api as deals_api
from activities.log import api as log_api
from activities.search import api as search_api
from activities.tasks import api as tasks_api
from plans.weekly import api as plans_api
from reporting.funnel import api as funnel_api
from salesmgmt.calendar_feeds import api as calendar_feed_api
from salesmgmt.notifications import api as notification_api
from salesmgmt.org import api
from salesmgmt.webhooks import api as webhooks_api

router = DefaultRouter()
router.register("metrics", activities_api.MetricViewSet, basename="metric")
router.register("channels", activities_api.ChannelViewSet, basename="channel")
router.register("products", activities_api.ProductViewSet, basename="product")
router.register("teams", api.TeamViewSet, basename="team")
router.register("users", api.UserViewSet, basename="user")
router.register("activities", log_api.ActivityViewSet, basename="activity")
router.register("weekly-plans", plans_api.WeeklyPlanViewSet, basename="weeklyplan")
router.register("customers", customers_api.CustomerViewSet, basename="customer")
router.register("contacts", customers_api.ContactViewSet, basename="contact")
router.register("lost-reasons", crm_api.LostReasonViewSet, basename="lostreason")
router.register("pipelines", crm_api.PipelineViewSet, basename="pipeline")
router.register("stages", crm_api.StageViewSet, basename="stage")
router.register("deals", deals_api.DealViewSet, basename="deal")
router.register("tasks", tasks_api.TaskViewSet, basename="task")
router.register("notifications", notification_api.NotificationViewSet, basename="notification")
router.register("webhooks", webhooks_api.WebhookEndpointViewSet, basename="webhook")
router.register(
    "webhook-deliveries", webhooks_api.WebhookDeliveryViewSet, basename="webhook-delivery"
)

urlpatterns = [
    path("me/", api.me, name="api-me"),
    path("me/calendar-feed/", calendar_feed_api.my_calendar_feed, name="api-calendar-feed"),
    path("auth/token/", api.obtain_token, name="api-token"),
    path("activities/bulk/", log_api.ingest, name="activity-bulk"),
    path("deals/bulk/", deals_api.deal_bulk, name="deal-bulk"),
    path(
        "notifications/preferences/",
        notification_api.notification_preferences,
        name="notification-preferences",
    ),
    path("search/", search_api.search, name="search"),
    path("reports/funnel/", funnel_api.funnel_report, name="report-funnel"),
    path("reports/forecast/", funnel_api.forecast_report, name="report-forecast"),
    # Goals, KPIs, dashboards, reviews, commissions: each area routes its own endpoints.
    path("", include("plans.goals.api")),
    path("", include("reporting.kpis.api")),
    path("", include("reporting.dashboards.api")),
    path("", include("reporting.company.api")),
    path("", include("reporting.reviews.api")),
    path("", include("reporting.commissions.api")),
    path("", include("coaching.sessions.api")),
    path("", include("coaching.recognition.api")),
    path("", include("coaching.training.api")),
    path("", include("coaching.feedback.api")),
    path("", include("coaching.improvement.api")),
    path("", include(router.urls)),
]
