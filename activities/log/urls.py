from django.urls import path

from activities.log import views

app_name = "activities"
urlpatterns = [
    path("", views.activity_list, name="list"),
    path("log/", views.day_log, name="log"),
]
