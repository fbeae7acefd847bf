"""State changes of customers."""

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
