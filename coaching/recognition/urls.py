from django.urls import path

from coaching.recognition import views

app_name = "recognition"

urlpatterns = [
    path("", views.feed, name="feed"),
    path("kudos/new/", views.kudos_new, name="kudos_new"),
    path("awards/new/", views.award_new, name="award_new"),
    path("awards/<int:pk>/", views.award_detail, name="award"),
    path("suggestions/", views.suggestions, name="suggestions"),
    path("suggestions/<int:pk>/dismiss/", views.suggestion_dismiss, name="suggestion_dismiss"),
    path("people/lookup/", views.people_lookup, name="people_lookup"),
]
