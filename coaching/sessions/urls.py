from django.urls import path

from coaching.sessions import views

app_name = "coaching"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("sessions/", views.session_list, name="list"),
    path("sessions/new/", views.session_new, name="new"),
    path("sessions/<int:pk>/", views.session_detail, name="detail"),
    path("sessions/<int:pk>/edit/", views.session_edit, name="edit"),
    path("sessions/<int:pk>/session.ics", views.session_calendar, name="ics"),
    path("sessions/<int:pk>/items/", views.item_add, name="item_add"),
    path("sessions/<int:pk>/<slug:kind>/", views.session_act, name="act"),
    path("items/<int:pk>/done/", views.item_done, name="item_done"),
]
