import datetime as dt
import re
import uuid
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contento.accounts.models import Membership, Organization
from contento.core.constraints import unique_when_set

TIMEZONE_CHOICES = sorted((name, name) for name in zoneinfo.available_timezones())
ATTRIBUTE_KEY = re.compile(r"[a-z][a-z0-9_]{0,39}")
MAX_ATTRIBUTES, MAX_ATTRIBUTE_LENGTH = 50, 200


def validate_attributes(value) -> None:
    """Refuse customer attributes that are not a flat map of short names to short texts."""
    if not isinstance(value, dict):
        raise ValidationError(_("Attributes must be a map of names to values."))
    if len(value) > MAX_ATTRIBUTES:
        raise ValidationError(
            _("A customer can have at most %(max)d attributes.") % {"max": MAX_ATTRIBUTES}
        )
    for key, text in value.items():
        if not isinstance(key, str) or not ATTRIBUTE_KEY.fullmatch(key):
            raise ValidationError(
                _(
                    "%(key)s is not a valid attribute name: use up to 40 lowercase letters,"
                    " digits and underscores, starting with a letter."
                )
                % {"key": repr(key)}
            )
        if not isinstance(text, str) or not text.strip() or len(text) > MAX_ATTRIBUTE_LENGTH:
            raise ValidationError(
                _("The value of %(key)s must be a text of 1 to %(max)d characters.")
                % {"key": key, "max": MAX_ATTRIBUTE_LENGTH}
            )


class Company(models.Model):
    """An organisation that customers belong to (a business buying for its staff, a household).

    The workspace itself is an `accounts.Organization`; a company is one of *its* customers'
    organisations, so B2B satisfaction can be read per account as well as per person.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="companies"
    )
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    domain = models.CharField(
        _("email domain"),
        max_length=200,
        blank=True,
        help_text=_("Customers writing from this domain are linked to the company."),
    )
    external_id = models.CharField(_("external id"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        ordering = ["name", "pk"]
        constraints = [
            unique_when_set("organization", "external_id", name="company_external_id_unique")
        ]

    def __str__(self):
        return self.name


class Customer(models.Model):
    """Someone who buys from the organisation and whose satisfaction it wants to know.

    A customer is reached by email or phone in their own language and time zone, and only
    contacted for feedback while `contact_consent` holds. `erased_at` marks a customer whose
    personal data was erased on request: the row stays so that counts and rates stay right.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="customers"
    )
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    company = models.ForeignKey(
        Company,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="customers",
        verbose_name=_("company"),
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    timezone = models.CharField(_("time zone"), max_length=64, blank=True)
    contact_consent = models.BooleanField(
        _("may be contacted"),
        default=True,
        help_text=_("Whether the customer agreed to receive surveys and follow-ups."),
    )
    external_id = models.CharField(
        _("external id"),
        max_length=100,
        blank=True,
        help_text=_("The customer's id in your other systems (CRM, billing)."),
    )
    # The member who looks after this customer: a follow-up rule can give them the case.
    account_owner = models.ForeignKey(
        Membership,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_customers",
        verbose_name=_("account owner"),
    )
    attributes = models.JSONField(
        _("attributes"),
        default=dict,
        blank=True,
        validators=[validate_attributes],
        help_text=_(
            "Your own facts about the customer (plan, region, segment…), by name; the overview"
            " compares satisfaction across the values of any of them."
        ),
    )
    erased_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Reaching them: when they unsubscribed from surveys by a link (consent is then withdrawn),
    # when mail to their address last came back undelivered, and when a survey last asked
    # them (an invitation sent or a response given), which the workspace's rule "never survey
    # a customer more than once in N days" reads.
    unsubscribed_at = models.DateTimeField(null=True, blank=True, editable=False)
    email_bounced_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_surveyed_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            unique_when_set("organization", "external_id", name="customer_external_id_unique")
        ]
        indexes = [
            models.Index(fields=["organization", "email"]),
            models.Index(fields=["organization", "phone"]),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.account_owner_id and self.account_owner.organization_id != self.organization_id:
            raise ValidationError({"account_owner": _("The account owner is not a member here.")})

    def reach_problem(self, gap_days: int = 0, now=None, channel: str = "email") -> str:
        """Why a survey may not be sent to this customer now, as a short code, or "".

        The codes: erased, no_email (or no_phone, for a text message), bounced, unsubscribed,
        no_consent, and recent (surveyed within the workspace's `gap_days`, when one is
        given). Every send of a survey asks this; `contento.distribution.campaigns` asks the
        same of a whole audience in SQL.
        """
        if self.erased_at:
            return "erased"
        if channel == "sms":
            if not self.phone:
                return "no_phone"
        elif not self.email:
            return "no_email"
        elif self.email_bounced_at:
            return "bounced"
        if self.unsubscribed_at:
            return "unsubscribed"
        if not self.contact_consent:
            return "no_consent"
        since = (now or timezone.now()) - dt.timedelta(days=gap_days)
        if gap_days and self.last_surveyed_at and self.last_surveyed_at >= since:
            return "recent"
        return ""

    def all_emails(self) -> list[str]:
        return [a for a in [self.email, *(c.value for c in self.contacts.all())] if a]


class ContactPoint(models.Model):
    """Another email address or phone number of a customer (the first ones live on Customer)."""

    class Kind(models.TextChoices):
        EMAIL = "email", _("Email")
        PHONE = "phone", _("Phone")

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contacts")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    value = models.CharField(max_length=254)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "kind", "value"], name="contact_point_unique"
            )
        ]

    def __str__(self):
        return self.value


class Product(models.Model):
    """Something the organisation sells: a one-off product or a service that runs for months."""

    class Kind(models.TextChoices):
        PRODUCT = "product", _("Product")
        SERVICE = "service", _("Service")

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="products"
    )
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PRODUCT)
    sku = models.CharField(_("SKU or external id"), max_length=100, blank=True)
    price = models.DecimalField(_("price"), max_digits=12, decimal_places=2, null=True, blank=True)
    is_active = models.BooleanField(_("on sale"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [unique_when_set("organization", "sku", name="product_sku_unique")]

    def __str__(self):
        return self.name


class Purchase(models.Model):
    """One sale of a product to a customer, with its amount and the channel it went through."""

    class Channel(models.TextChoices):
        ONLINE = "online", _("Online")
        STORE = "store", _("Store")
        PHONE = "phone", _("Phone")
        PARTNER = "partner", _("Partner")
        OTHER = "other", _("Other")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="purchases")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="purchases")
    purchased_at = models.DateTimeField(_("purchased at"))
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2, default=0)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.ONLINE
    )
    external_id = models.CharField(_("external id"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-purchased_at", "-pk"]
        constraints = [
            unique_when_set("organization", "external_id", name="purchase_external_id_unique")
        ]
        indexes = [models.Index(fields=["organization", "purchased_at"])]

    def __str__(self):
        return f"{self.product} ({self.purchased_at:%Y-%m-%d})"


class Subscription(models.Model):
    """A service a customer keeps paying for (an internet line, a phone plan) and its renewal.

    `renews_on` is the next renewal date while active; `ends_on` is set when it stopped. A
    renewal that happened is what loyalty analysis counts as a customer who stayed.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        PAUSED = "paused", _("Paused")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Expired")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="subscriptions")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="subscriptions")
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    started_on = models.DateField(_("started on"))
    renews_on = models.DateField(_("renews on"), null=True, blank=True)
    ends_on = models.DateField(_("ended on"), null=True, blank=True)
    monthly_amount = models.DecimalField(
        _("monthly amount"), max_digits=12, decimal_places=2, default=0
    )
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    renewals = models.PositiveIntegerField(_("renewals"), default=0)
    external_id = models.CharField(_("external id"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-started_on", "-pk"]
        constraints = [
            unique_when_set("organization", "external_id", name="subscription_external_id_unique")
        ]

    def __str__(self):
        return f"{self.product} ({self.get_status_display()})"

    def clean(self):
        errors = {}
        if self.started_on and self.ends_on and self.ends_on < self.started_on:
            errors["ends_on"] = _("A subscription cannot end before it started.")
        if self.started_on and self.renews_on and self.renews_on < self.started_on:
            errors["renews_on"] = _("A subscription cannot renew before it started.")
        if errors:
            raise ValidationError(errors)


class Note(models.Model):
    """A remark a member wrote on a customer's record (shown on the timeline, never sent)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    body = models.TextField(_("note"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.body[:60]
