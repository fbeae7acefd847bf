from django.urls import path

from contento.surveys.views import public

app_name = "public"
urlpatterns = [
    path("<uuid:code>/", public.public, name="open"),
    path("<uuid:code>/p/<str:token>/", public.personal, name="personal"),
    path("w/<uuid:code>/", public.widget_survey, name="widget"),
]
