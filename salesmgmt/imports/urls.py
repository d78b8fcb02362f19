from django.urls import path

from salesmgmt.imports import views

app_name = "imports"
urlpatterns = [
    path("", views.job_list, name="list"),
    path("job/<int:pk>/", views.job_detail, name="job"),
    path("job/<int:pk>/progress/", views.job_progress, name="progress"),
    path("job/<int:pk>/import/", views.job_run, name="run"),
    path("<slug:kind>/", views.upload, name="upload"),
    path("<slug:kind>/template.<str:fmt>", views.template, name="template"),
]
