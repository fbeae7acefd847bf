from django.apps import AppConfig


class ProjectConfig(AppConfig):
    """The product as a whole: the commands that set it up, serve it and maintain it.

    It sits above every domain app, so its commands may use any of them; `core` stays a base
    layer that knows no app above it.
    """

    name = "contento.project"
    label = "project"
