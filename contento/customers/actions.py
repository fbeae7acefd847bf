"""State changes of customers.

Notes and erasure live beside the code they need (`timeline.do_add_customer_note`,
`gdpr.do_erase_customer`); they are named here too, so every customer action is found here.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from contento.customers.models import Customer

_LANGUAGES = {code for code, _name in settings.LANGUAGES}


def do_create_customer(organization, *, name, email="", language="en", external_id=""):
    """Create a customer, or update the one with the same external id (imports re-run safely)."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "A customer needs a name."})
    if email:
        validate_email(email)
    if language not in _LANGUAGES:
        raise ValidationError({"language": f"Unsupported language {language!r}."})
    fields = {"name": name, "email": email.strip().lower(), "language": language}
    if external_id:
        customer, _created = Customer.objects.update_or_create(
            organization=organization, external_id=external_id, defaults=fields
        )
        return customer
    return Customer.objects.create(organization=organization, **fields)


def find_customer_by_email(organization, email: str) -> Customer | None:
    """Return the customer who owns this address (first or additional), or None."""
    from contento.customers.models import ContactPoint

    email = (email or "").strip().lower()
    if not email:
        return None
    customer = (
        Customer.objects.filter(organization=organization, email=email, erased_at__isnull=True)
        .order_by("pk")
        .first()
    )
    if customer is None:
        contact = (
            ContactPoint.objects.filter(
                organization=organization, kind=ContactPoint.Kind.EMAIL, value=email
            )
            .select_related("customer")
            .first()
        )
        customer = contact.customer if contact else None
    return customer


def do_find_or_create_customer(organization, *, email: str, name: str = "", language=None):
    """Return the customer writing from `email`, creating one on first contact.

    Someone who writes in from a new address is a new customer: two people are never merged
    because they gave the same name.
    """
    email = (email or "").strip().lower()
    validate_email(email)
    customer = find_customer_by_email(organization, email)
    if customer is not None:
        return customer
    if language not in _LANGUAGES:
        language = organization.default_language
    name = " ".join((name or "").split())[:200] or email.split("@")[0]
    return do_create_customer(organization, name=name, email=email, language=language)


def __getattr__(name):
    # Re-exported lazily: gdpr and timeline import the support app, which imports this module.
    if name == "do_erase_customer":
        from contento.customers.gdpr import do_erase_customer

        return do_erase_customer
    if name == "do_add_customer_note":
        from contento.customers.timeline import do_add_customer_note

        return do_add_customer_note
    raise AttributeError(name)
