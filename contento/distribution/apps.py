from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DistributionConfig(AppConfig):
    """Reaching customers where they are: the web widget (audiences, campaigns and
    triggers come here next)."""

    name = "contento.distribution"
    label = "distribution"
    verbose_name = _("Distribution")
