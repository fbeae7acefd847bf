from django.urls import path

from contento.insights import views

app_name = "insights"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("weekly-report/", views.weekly_report, name="weekly_report"),
    path("loyalty/", views.loyalty, name="loyalty"),
    path("loop/", views.loop, name="loop"),
    path("surveys/<uuid:code>/trend/<slug:metric>/", views.overview, name="survey_trend"),
    path("surveys/<uuid:code>/drivers/", views.drivers, name="drivers"),
    path("surveys/<uuid:code>/gaps/", views.gaps, name="gaps"),
    path("surveys/<uuid:code>/kano/", views.kano, name="kano"),
    path("surveys/<uuid:code>/themes/", views.themes, name="themes"),
    path("<slug:metric>/", views.overview, name="metric"),
]
