from django.urls import path

from reporting.kpis import views as kpi_views

app_name = "kpis"

urlpatterns = [
    path("", kpi_views.kpi_list, name="list"),
    path("alerts/", kpi_views.alert_list, name="alerts"),
]
