from django.urls import path

from coaching.feedback import views

app_name = "feedback"

urlpatterns = [
    path("", views.give, name="give"),
    path("results/", views.results, name="results"),
    path("signed/", views.signed_list, name="signed_list"),
    path("signed/new/", views.signed_new, name="signed_new"),
]
