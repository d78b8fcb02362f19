from django.urls import path

from reporting.alerts import views as alert_views
from reporting.kpis import views as kpi_views

app_name = "kpis"

urlpatterns = [
    path("", kpi_views.kpi_list, name="list"),
    path("alerts/", kpi_views.alert_list, name="alerts"),
    path("alerts/<int:pk>/", alert_views.alert_detail, name="alert"),
    path("alerts/<int:pk>/<slug:kind>/", alert_views.alert_act, name="alert_act"),
]
