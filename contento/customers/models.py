import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from contento.accounts.models import Organization


class Customer(models.Model):
    """Someone who buys from the organisation and whose satisfaction it wants to know.

    This is the minimal record that personal survey links and responses belong to; purchases,
    subscriptions and the timeline come with the full customer domain.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="customers"
    )
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email"), blank=True)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    external_id = models.CharField(
        _("external id"),
        max_length=100,
        blank=True,
        help_text=_("The customer's id in your other systems (CRM, billing)."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "external_id"],
                condition=~models.Q(external_id=""),
                name="customer_external_id_unique",
            )
        ]
        indexes = [models.Index(fields=["organization", "email"])]

    def __str__(self):
        return self.name
