from django.urls import path  # noqa: F401

from . import customer_views  # noqa: F401

app_name = "customers"
urlpatterns = []
