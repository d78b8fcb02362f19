"""Pages of the global search: the results page and the top bar's live drop-down."""

from django.urls import path

from activities.search import views

app_name = "search"
urlpatterns = [
    path("", views.search_page, name="page"),
    path("dropdown/", views.search_dropdown, name="dropdown"),
]
