from django.urls import path

from activities.log import views

app_name = "activities"
urlpatterns = [
    path("", views.activity_list, name="list"),
    path("log/", views.day_log, name="log"),
    path("log/customer/<int:pk>/", views.log_for_customer, name="log_customer"),
    path("log/deal/<int:pk>/", views.log_for_deal, name="log_deal"),
]
