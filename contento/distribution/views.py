"""The web widget: one script tag on the business's own site opens this page in a frame,
with the contact form, the chat and, when the site asks for it, a survey.

The script (static/contento/widget.js) makes no request but to Contento and sets no cookie;
the pages in the frame work without cookies too (contento.core.embedding). A site whose
visitors have signed in may name them with a signed token (contento.customers.visitors),
which the frame's links carry.
"""

import logging
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, render
from django.utils import translation

from contento.accounts.models import Organization
from contento.accounts.registers import speaking
from contento.core.embedding import allow_framing_by, embeddable
from contento.customers.visitors import BadVisitorToken, read_visitor_token
from contento.surveys.models import Survey

_LANGUAGES = {code for code, _name in settings.LANGUAGES}
logger = logging.getLogger(__name__)


def _language(request, organization) -> str:
    wanted = (request.GET.get("lang") or "")[:2].lower()
    return wanted if wanted in _LANGUAGES else organization.default_language


@embeddable
def widget(request, org):
    """The widget's page, in the visitor's language."""
    organization = get_object_or_404(Organization, code=org)
    allow_framing_by(request, organization)
    language = _language(request, organization)
    survey = None
    if request.GET.get("survey"):
        try:
            survey = Survey.objects.filter(
                organization=organization, code=request.GET["survey"], status=Survey.Status.LIVE
            ).first()
        except ValidationError:
            survey = None
    query = {"lang": language}
    token = request.GET.get("visitor", "")
    if token:
        try:
            read_visitor_token(organization, token)
        except BadVisitorToken as error:
            logger.info("widget: visitor not identified: %s", error)
        else:
            query["visitor"] = token
    with translation.override(speaking(organization, language)):
        response = render(
            request,
            "distribution/widget.html",
            {
                "organization": organization,
                "language": language,
                "survey": survey,
                "query": urlencode(query),
            },
        )
    response.headers["Content-Language"] = language
    return response
