from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "contento.core"
    label = "core"
