from django.urls import path

from reporting.company import views as company_views

app_name = "company"

urlpatterns = [
    path("", company_views.dashboard, name="dashboard"),
]
