"""The addresses an invitation holds besides the unsubscribe link: a 1×1 image that counts
the mail as opened, and the survey link that counts the click before it goes on to the
customer's own survey link; a text message holds the same link and the unsubscribe link
as the product's own short addresses (/m/<code>). None needs a sign-in; all are
unguessable codes."""

import base64

from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache
from django_ratelimit.decorators import ratelimit

from contento.core.ratelimits import public_rate
from contento.customers.unsubscribe import unsubscribe_url
from contento.distribution.campaigns import do_record_click, do_record_open
from contento.distribution.models import Delivery
from contento.surveys.links import personal_url

_PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


@never_cache
@ratelimit(key="ip", rate=public_rate, block=True)
def opened(request, code):
    do_record_open(code)
    return HttpResponse(_PIXEL, content_type="image/gif")


@never_cache
@ratelimit(key="ip", rate=public_rate, block=True)
def clicked(request, code):
    delivery = do_record_click(code)
    if delivery is None:
        raise Http404("This link is not valid.")
    return _to_survey(delivery)


@never_cache
@ratelimit(key="ip", rate=public_rate, block=True)
def short(request, short_code):
    """A text message's survey link: counted as a click, then on to the survey."""
    code = Delivery.objects.filter(short_code=short_code).values_list("code", flat=True).first()
    delivery = do_record_click(code) if code else None
    if delivery is None:
        raise Http404("This link is not valid.")
    return _to_survey(delivery)


@never_cache
@ratelimit(key="ip", rate=public_rate, block=True)
def stop(request, short_code):
    """A text message's link to stop receiving surveys: the customer's unsubscribe page,
    which asks before it unsubscribes."""
    delivery = (
        Delivery.objects.select_related("customer__organization")
        .filter(short_code=short_code, customer__erased_at__isnull=True)
        .first()
    )
    if delivery is None:
        raise Http404("This link is not valid.")
    return redirect(unsubscribe_url(delivery.customer))


def _to_survey(delivery):
    campaign = delivery.campaign
    return redirect(
        personal_url(
            campaign.survey, delivery.customer, wave=delivery.wave, language=delivery.language
        )
    )
