from django.urls import path

from coaching.training import views

app_name = "training"

urlpatterns = [
    path("", views.module_list, name="modules"),
    path("modules/new/", views.module_create, name="module_create"),
    path("modules/<int:pk>/", views.module_detail, name="module"),
    path("modules/<int:pk>/edit/", views.module_edit, name="module_edit"),
    path("mine/", views.my_training, name="mine"),
    path("matrix/", views.matrix, name="matrix"),
    path("matrix/csv/", views.matrix_csv, name="matrix_csv"),
    path("assign/", views.assign, name="assign"),
    path("assignments/<int:pk>/", views.assignment_detail, name="assignment"),
    path("assignments/<int:pk>/complete/", views.assignment_complete, name="complete"),
    path("assignments/<int:pk>/confirm/", views.assignment_confirm, name="confirm"),
    path("assignments/<int:pk>/reopen/", views.assignment_reopen, name="reopen"),
]
