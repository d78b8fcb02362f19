from django.urls import path  # noqa: F401

from . import task_views  # noqa: F401

app_name = "tasks"
urlpatterns = []
