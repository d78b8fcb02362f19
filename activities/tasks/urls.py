from django.urls import path

from activities.tasks import views as task_views

app_name = "tasks"
urlpatterns = [
    path("", task_views.my_day, name="my_day"),
    path("team/", task_views.team_board, name="team"),
    path("history/", task_views.task_history, name="history"),
    path("new/", task_views.task_create, name="new"),
    path("<int:pk>/edit/", task_views.task_edit, name="edit"),
    path("<int:pk>/done/", task_views.task_done, name="done"),
    path("<int:pk>/reopen/", task_views.task_reopen, name="reopen"),
]
