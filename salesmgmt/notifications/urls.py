from django.urls import path

from salesmgmt.notifications import views as notification_views

app_name = "notifications"
urlpatterns = [
    path("", notification_views.notification_list, name="list"),
    path("<int:pk>/read/", notification_views.notification_read, name="read"),
    path("read-all/", notification_views.notification_read_all, name="read_all"),
    path("preferences/", notification_views.notification_preferences, name="preferences"),
]
