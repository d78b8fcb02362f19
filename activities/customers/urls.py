from django.urls import path

from activities.customers import views as customer_views

app_name = "customers"
urlpatterns = [
    path("", customer_views.customer_list, name="list"),
    path("lost/", customer_views.lost_customers, name="lost"),
    path("lookup/", customer_views.customer_lookup, name="lookup"),
    path("new/", customer_views.customer_create, name="create"),
    path("import/", customer_views.customer_import_upload, name="import"),
    path("import/preview/", customer_views.customer_import_preview, name="import_preview"),
    path("import/run/", customer_views.customer_import_run, name="import_run"),
    path("<int:pk>/", customer_views.customer_detail, name="detail"),
    path("<int:pk>/edit/", customer_views.customer_edit, name="edit"),
]
