from django.urls import path

from reporting.dashboards import views

app_name = "dashboards"

urlpatterns = [
    path("", views.me, name="me"),
    path("reps/<int:pk>/", views.rep, name="rep"),
    path("team/", views.team, name="team"),
]
