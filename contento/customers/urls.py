from django.urls import path

from contento.customers import views

app_name = "customers"
urlpatterns = [
    path("", views.customer_list, name="list"),
    path("new/", views.customer_new, name="new"),
    path("<uuid:code>/", views.customer_detail, name="detail"),
]
