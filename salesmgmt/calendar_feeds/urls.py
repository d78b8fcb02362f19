from django.urls import path

from salesmgmt.calendar_feeds import views

urlpatterns = [
    path("calendar/<str:token>.ics", views.feed, name="calendar_feed"),
    path("profile/calendar-feed/", views.create, name="calendar_feed_create"),
    path("profile/calendar-feed/reset/", views.reset, name="calendar_feed_reset"),
    path("profile/calendar-feed/revoke/", views.revoke, name="calendar_feed_revoke"),
]
