from django.urls import path

from plans.weekly import views

app_name = "plans"
urlpatterns = [
    path("", views.plan_list, name="list"),
    path("team/", views.team_week, name="team_week"),
    path("week/", views.my_week, name="my_week"),
    path("week/<isodate:week>/", views.plan_for_week, name="for_week"),
    path("<int:pk>/", views.plan_detail, name="detail"),
    path("<int:pk>/edit/", views.plan_edit, name="edit"),
    path("<int:pk>/submit/", views.plan_submit, name="submit"),
    path("<int:pk>/review/", views.plan_review, name="review"),
    path("<int:pk>/note/", views.plan_note, name="note"),
]
