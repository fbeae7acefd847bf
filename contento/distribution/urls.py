from django.urls import path

from contento.distribution import views

app_name = "distribution"
urlpatterns = [
    path("<uuid:org>/", views.widget, name="widget"),
]
