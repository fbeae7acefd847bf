"""Visitors whom a business's own website identifies to the web widget.

The widget is cookie-free and anonymous by default: whoever writes gives a name and an
address, which nobody has checked. A site whose visitors have signed in can say who they are
instead. Its server signs a JSON Web Token (HS256) with the workspace's widget secret and puts
it on the script tag (`data-visitor="…"`); the widget then opens tickets, chats and survey
responses as that customer, without asking for a name or an address.

The token's claims:

    sub       the customer's id in the site's own system (matched to the customer's
              external id); required
    email     their address; required the first time, to reach them
    name      how to address them
    language  their language (en, es, fr, ru, vi, id)
    exp       when the token stops being valid (seconds since 1970); required, and at most
              a day ahead, so that a token copied from a page is soon worthless

Signing in Python, on the site's server:

    jwt.encode({"sub": "42", "email": "ana@example.com", "name": "Ana",
                "exp": int(time.time()) + 3600}, WIDGET_SECRET, algorithm="HS256")
"""

import time
from dataclasses import dataclass

import jwt
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from contento.customers.actions import do_create_customer, find_customer_by_email
from contento.customers.models import Customer

ALGORITHM = "HS256"
MAX_LIFETIME = 24 * 60 * 60  # seconds a token may be valid for, counted from now
LEEWAY = 60  # seconds of clock difference between the site and Contento
_LANGUAGES = {code for code, _name in settings.LANGUAGES}


class BadVisitorToken(ValueError):
    """The token is not one this workspace's site signed, or no longer valid."""


@dataclass(frozen=True)
class Visitor:
    external_id: str
    email: str
    name: str
    language: str


def read_visitor_token(organization, token: str) -> Visitor:
    """Return the visitor a token names, or raise BadVisitorToken saying why not."""
    secret = getattr(organization, "widget_secret", "")
    if not secret:
        raise BadVisitorToken("This workspace has no widget secret: visitors cannot be identified.")
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            leeway=LEEWAY,
            options={"require": ["sub", "exp"]},
        )
    except jwt.ExpiredSignatureError:
        raise BadVisitorToken("The visitor token has expired.") from None
    except jwt.InvalidTokenError as error:
        raise BadVisitorToken(f"The visitor token is not valid: {error}.") from None
    if claims["exp"] > time.time() + MAX_LIFETIME + LEEWAY:
        raise BadVisitorToken("The visitor token may be valid for one day at most.")
    return _visitor(claims)


def _visitor(claims: dict) -> Visitor:
    def text(name: str, limit: int) -> str:
        value = claims.get(name, "")
        if not isinstance(value, (str, int)) or isinstance(value, bool):
            raise BadVisitorToken(f"The visitor token's {name} must be text.")
        value = " ".join(str(value).split())
        if len(value) > limit:
            raise BadVisitorToken(f"The visitor token's {name} is longer than {limit} characters.")
        return value

    external_id, email, name = text("sub", 100), text("email", 254).lower(), text("name", 200)
    if not external_id:
        raise BadVisitorToken("The visitor token's sub is empty.")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise BadVisitorToken("The visitor token's email is not an address.") from None
    language = text("language", 8)
    return Visitor(external_id, email, name, language if language in _LANGUAGES else "")


def visitor_customer(organization, visitor: Visitor, *, create: bool = True) -> Customer | None:
    """The customer this visitor is: by the site's id, else by address (which then gets the
    id), else a new customer (None with `create=False`, as a page that is only read does).
    Raises BadVisitorToken when a new one would have no address."""
    customers = Customer.objects.filter(organization=organization, erased_at__isnull=True)
    customer = customers.filter(external_id=visitor.external_id).first()
    if customer is not None:
        return customer
    if not create:
        return find_customer_by_email(organization, visitor.email) if visitor.email else None
    if not visitor.email:
        raise BadVisitorToken("The visitor token needs an email the first time a visitor writes.")
    try:
        with transaction.atomic():
            customer = find_customer_by_email(organization, visitor.email)
            if customer is None:
                return do_create_customer(
                    organization,
                    name=visitor.name or visitor.email.split("@")[0],
                    email=visitor.email,
                    language=visitor.language or organization.default_language,
                    external_id=visitor.external_id,
                )
            if not customer.external_id:
                customer.external_id = visitor.external_id
                customer.save(update_fields=["external_id"])
            return customer
    except IntegrityError:
        # The same visitor's first two requests at once: the other one made the customer.
        return Customer.objects.get(organization=organization, external_id=visitor.external_id)
