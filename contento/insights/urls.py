from django.urls import path

from contento.insights import views

app_name = "insights"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("<slug:metric>/", views.overview, name="metric"),
]
