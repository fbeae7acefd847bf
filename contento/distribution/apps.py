from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DistributionConfig(AppConfig):
    """Reaching customers where they are: the web widget, audiences and campaigns."""

    name = "contento.distribution"
    label = "distribution"
    verbose_name = _("Distribution")

    def ready(self):
        # Imported for their signal receivers.
        from contento.distribution import bounces, loop  # noqa: F401
