"""The funnel and forecast page."""

from django.urls import path

from reporting.funnel import views

app_name = "funnel"
urlpatterns = [
    path("funnel/", views.funnel_page, name="page"),
]
