from django.urls import path

from reporting.commissions import views

app_name = "commissions"

urlpatterns = [
    path("", views.statement_list, name="list"),
    path("<int:pk>/", views.statement_detail, name="detail"),
    path("<int:pk>/adjustments/", views.statement_adjust, name="adjust"),
    path("plans/", views.plan_list, name="plans"),
]
