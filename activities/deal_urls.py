from django.urls import path  # noqa: F401

from . import deal_views  # noqa: F401

app_name = "deals"
urlpatterns = []
