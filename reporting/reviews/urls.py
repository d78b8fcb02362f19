from django.urls import path

from reporting.reviews import views

app_name = "reviews"

urlpatterns = [
    path("", views.review_list, name="list"),
    path("team/", views.team_summary, name="team_summary"),
    path("division/", views.division_summary, name="division_summary"),
    path("<int:pk>/", views.review_detail, name="detail"),
    path("<int:pk>/notes/", views.review_annotate, name="annotate"),
    path("<int:pk>/misses/<int:miss_pk>/", views.review_miss, name="miss"),
    path("<int:pk>/actions/", views.review_action_add, name="action_add"),
    path(
        "<int:pk>/actions/<int:action_pk>/remove/",
        views.review_action_remove,
        name="action_remove",
    ),
    path("<int:pk>/share/", views.review_share, name="share"),
    path("<int:pk>/regenerate/", views.review_regenerate, name="regenerate"),
    path("<int:pk>/acknowledge/", views.review_acknowledge, name="acknowledge"),
    path("<int:pk>/comment/", views.review_comment, name="comment"),
]
