from django.urls import include, path
from rest_framework.routers import DefaultRouter

from activities import api as activities_api
from plans import api as plans_api

from . import api

router = DefaultRouter()
router.register("metrics", activities_api.MetricViewSet, basename="metric")
router.register("channels", activities_api.ChannelViewSet, basename="channel")
router.register("products", activities_api.ProductViewSet, basename="product")
router.register("teams", api.TeamViewSet, basename="team")
router.register("users", api.UserViewSet, basename="user")
router.register("activities", activities_api.ActivityViewSet, basename="activity")
router.register("weekly-plans", plans_api.WeeklyPlanViewSet, basename="weeklyplan")

urlpatterns = [
    path("me/", api.me, name="api-me"),
    path("auth/token/", api.obtain_token, name="api-token"),
    path("activities/bulk/", activities_api.ingest, name="activity-bulk"),
    path("", include(router.urls)),
]
