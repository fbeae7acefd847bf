from django.apps import AppConfig, apps
from django.db.models.signals import pre_save

from contento.core.boundary import fit_to_columns


class CoreConfig(AppConfig):
    name = "contento.core"
    label = "core"

    def ready(self):
        # Every model of the project, whatever path saves it (see contento.core.boundary).
        for model in apps.get_models():
            if model.__module__.startswith("contento."):
                pre_save.connect(
                    fit_to_columns, sender=model, dispatch_uid=f"fit:{model._meta.label}"
                )
