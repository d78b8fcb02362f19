from django.urls import path

from coaching.improvement import views

app_name = "improvement"

urlpatterns = [
    path("", views.plan_list, name="list"),
    path("new/", views.plan_new, name="new"),
    path("<int:pk>/", views.plan_detail, name="detail"),
    path("<int:pk>/edit/", views.plan_edit, name="edit"),
    path("<int:pk>/acknowledge/", views.plan_acknowledge, name="acknowledge"),
    path("<int:pk>/comment/", views.plan_comment, name="comment"),
    path("<int:pk>/checkpoints/", views.checkpoint_add, name="checkpoint_add"),
    path(
        "<int:pk>/checkpoints/<int:checkpoint_pk>/",
        views.checkpoint_record,
        name="checkpoint_record",
    ),
    path("<int:pk>/extend/", views.plan_extend, name="extend"),
    path("<int:pk>/close/", views.plan_close, name="close"),
]
