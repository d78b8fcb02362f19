"""Pages for deals: the pipeline board and deal pages."""

from django.urls import path

from activities.deals import views as deal_views

app_name = "deals"
urlpatterns = [
    path("pipeline/", deal_views.pipeline_board, name="pipeline"),
    path("deals/", deal_views.deal_list, name="list"),
    path("deals/new/", deal_views.deal_create, name="create"),
    path("deals/lookup/", deal_views.deal_lookup, name="lookup"),
    path("deals/<int:pk>/", deal_views.deal_detail, name="detail"),
    path("deals/<int:pk>/edit/", deal_views.deal_edit, name="edit"),
    path("deals/<int:pk>/move/", deal_views.deal_move, name="move"),
]
