"""What invitations link to: the open count's image and the survey link that counts a click."""

from django.urls import path

from contento.distribution import public

app_name = "distribution_public"
urlpatterns = [
    path("o/<uuid:code>.gif", public.opened, name="open"),
    path("c/<uuid:code>/", public.clicked, name="click"),
    path("<slug:short_code>", public.short, name="short"),
    path("<slug:short_code>/stop", public.stop, name="stop"),
]
