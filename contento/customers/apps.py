from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "contento.customers"
    label = "customers"
    verbose_name = _("Customers")

    def ready(self):
        # Imported here: the registry imports models, which Django loads only after the apps.
        from contento.customers import personal

        # Every app's share of a customer's data (export, erasure, timeline, page), as the
        # admin finds every app's admin.py.
        personal.autodiscover()
