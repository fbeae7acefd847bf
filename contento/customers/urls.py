from django.urls import path

from contento.customers import gdpr_views, import_views, views

app_name = "customers"
urlpatterns = [
    path("", views.customer_list, name="list"),
    path("new/", views.customer_new, name="new"),
    path("import/", import_views.import_page, name="import"),
    path("import/<uuid:import_id>/", import_views.import_status, name="import_status"),
    path("<uuid:code>/", views.customer_detail, name="detail"),
    path("<uuid:code>/edit/", views.customer_edit, name="edit"),
    path("<uuid:code>/notes/", views.customer_note, name="note"),
    path("<uuid:code>/export/", gdpr_views.customer_export, name="export"),
    path("<uuid:code>/erase/", gdpr_views.customer_erase, name="erase"),
]
