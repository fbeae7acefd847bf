"""The two addresses an invitation holds besides the unsubscribe link: a 1×1 image that
counts the mail as opened, and the survey link that counts the click before it goes on to
the customer's own survey link. Neither needs a sign-in; both are unguessable codes."""

import base64

from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache
from django_ratelimit.decorators import ratelimit

from contento.core.ratelimits import public_rate
from contento.distribution.campaigns import do_record_click, do_record_open
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
    campaign = delivery.campaign
    return redirect(
        personal_url(
            campaign.survey, delivery.customer, wave=delivery.wave, language=delivery.language
        )
    )
