from django.urls import path

from contento.customers import unsubscribe

urlpatterns = [
    path("<str:token>/", unsubscribe.unsubscribe, name="unsubscribe"),
]
