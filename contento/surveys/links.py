"""Personal survey links: a signed token that ties one survey to one customer.

The token is signed with the server's SECRET_KEY (Django's signing, HMAC-SHA256) and carries
the survey and customer codes, so it can be neither forged nor used for another survey. Its
`link_key`, a hash of what it names, makes the database hold at most one response per link.
"""

import hashlib

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "contento.surveys.personal-link"


class BadLink(Exception):
    """A personal link that was tampered with, expired, or belongs to another survey."""


def make_token(survey, customer, wave: str = "") -> str:
    payload = {"s": str(survey.code), "c": str(customer.code)}
    if wave:
        payload["w"] = wave
    return signing.dumps(payload, salt=SALT, compress=True)


def personal_url(survey, customer, wave: str = "", language: str = "") -> str:
    """Return the absolute personal link of `customer` to `survey`."""
    path = reverse("public:personal", args=[survey.code, make_token(survey, customer, wave)])
    lang = language or customer.language
    query = f"?lang={lang}" if lang in survey.all_languages else ""
    return survey.organization.public_link(f"{path}{query}")


def read_token(survey, token: str) -> tuple[str, str]:
    """Return (customer code, link key) of a valid token for `survey`, else raise BadLink."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=settings.SURVEY_LINK_MAX_AGE_DAYS * 86400)
    except signing.BadSignature:
        raise BadLink("This link is not valid.") from None
    if not isinstance(payload, dict) or payload.get("s") != str(survey.code):
        raise BadLink("This link is for another survey.")
    return payload["c"], _key(payload["s"], payload["c"], payload.get("w", ""))


def link_key(survey, customer, wave: str = "") -> str:
    """The key of the response that `customer`'s personal link to `survey` leads to."""
    return _key(str(survey.code), str(customer.code), wave)


def _key(survey_code: str, customer_code: str, wave: str) -> str:
    return hashlib.sha256(f"{survey_code}|{customer_code}|{wave}".encode()).hexdigest()
