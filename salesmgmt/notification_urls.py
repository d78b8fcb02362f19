from django.urls import path  # noqa: F401

from . import notification_views  # noqa: F401

app_name = "notifications"
urlpatterns = []
