"""Unsubscribing from surveys by a link, without signing in.

Every invitation carries the customer's own unsubscribe link, in its footer and in the
`List-Unsubscribe` header with `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058),
so a mail reader's "Unsubscribe" button works too. The link is signed (it names the customer
and cannot be forged or altered) and never expires. Opening it shows a button: a mail
scanner that only fetches links unsubscribes nobody; the one-click POST of RFC 8058 does.
"""

from django.core import signing
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from contento.core.ratelimits import public_rate
from contento.customers.actions import do_unsubscribe
from contento.customers.models import Customer

SALT = "contento.customers.unsubscribe"


def unsubscribe_url(customer) -> str:
    token = signing.dumps(str(customer.code), salt=SALT, compress=True)
    return customer.organization.public_link(reverse("unsubscribe", args=[token]))


def unsubscribe_headers(customer) -> dict[str, str]:
    """The headers that let a mail reader unsubscribe the customer in one click."""
    return {
        "List-Unsubscribe": f"<{unsubscribe_url(customer)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def _customer(token: str) -> Customer:
    try:
        code = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        raise Http404("This link is not valid.") from None
    customer = (
        Customer.objects.select_related("organization")
        .filter(code=code, erased_at__isnull=True)
        .first()
    )
    if customer is None:
        raise Http404("This link is not valid.")
    return customer


# Exempt from CSRF: the one-click POST comes from the customer's mail provider, with no
# cookie and no form; the signed token is what proves the link was sent to this customer.
@csrf_exempt
@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate=public_rate, method="POST", block=True)
def unsubscribe(request, token):
    customer = _customer(token)
    with translation.override(customer.language):
        if request.method == "POST":
            do_unsubscribe(customer)
        response = render(
            request,
            "customers/unsubscribe.html",
            {
                "customer": customer,
                "organization": customer.organization,
                "done": customer.unsubscribed_at is not None or request.method == "POST",
                "language": customer.language,
            },
        )
    response.headers["Content-Language"] = customer.language
    return response
