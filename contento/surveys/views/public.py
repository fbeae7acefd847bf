"""The public survey page: what a customer sees, with no sign-in.

Server-rendered and usable without JavaScript. A response is saved page by page; its code is
carried in a signed hidden field (open link) or derived from the personal link, so a double
or retried submit updates the same response instead of creating a second one.
"""

import dataclasses
import json
import logging
import secrets
import uuid
from urllib.parse import urlencode

from django.core import signing
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import translation
from django.views.decorators.csrf import csrf_protect
from django_ratelimit.decorators import ratelimit

from contento.accounts.access import member_required
from contento.accounts.registers import speaking
from contento.core.embedding import allow_framing_by, embeddable, is_embedded
from contento.core.ratelimits import public_rate
from contento.customers.models import Customer
from contento.customers.visitors import BadVisitorToken, read_visitor_token, visitor_customer
from contento.surveys.access import access_survey
from contento.surveys.actions import NewResponse, do_go_back, do_save_page, stored_values
from contento.surveys.links import BadLink, read_token
from contento.surveys.localize import localize, pick_language, versioned_cache
from contento.surveys.logic import referenced_keys
from contento.surveys.models import Response, Survey
from contento.surveys.ordering import arranged, with_options_in_order
from contento.surveys.piping import piped

COOKIE_MAX_AGE = 60 * 60 * 24 * 60
logger = logging.getLogger(__name__)


def _cookie_name(survey, preview=False) -> str:
    return f"ctr_{survey.code.hex[:16]}{'_t' if preview else ''}"


def _salt(survey, preview=False) -> str:
    # A preview's forms are signed apart, so a test response never continues as a real one.
    return f"contento.surveys.response:{survey.code}{':preview' if preview else ''}"


def _public_survey(code) -> Survey:
    """The survey with this code, whatever its status (a closed one shows it is closed)."""
    return get_object_or_404(Survey.objects.select_related("organization"), code=code)


def _public(request, code):
    """Answer a survey through its open link."""
    survey = _public_survey(code)
    allow_framing_by(request, survey.organization)
    if survey.status != Survey.Status.LIVE:
        return _closed(request, survey)
    return _open_link(request, survey)


_limited = ratelimit(key="ip", rate=public_rate, method="POST", block=True)
public = csrf_protect(_limited(_public))
# The same page inside the web widget: framed by the business's site, with no cookie (the
# signed response field carries the respondent from page to page).
widget_survey = embeddable(_limited(_public))


@csrf_protect
@member_required("survey.view")
def preview(request, membership, code):
    """The survey as a respondent sees it, in any of its languages and whatever its status;
    answers given here are saved as tests, which no figure counts."""
    survey = access_survey(membership, code, "survey.view")
    return _open_link(request, survey, preview=True)


def _open_link(request, survey, preview=False):
    salt, cookie = _salt(survey, preview), _cookie_name(survey, preview)
    responses = Response.all_objects.filter(survey=survey, is_test=preview)
    response = pending = None
    if request.method == "POST":
        try:
            response_code = uuid.UUID(signing.loads(request.POST.get("rt", ""), salt=salt))
        except (signing.BadSignature, ValueError, TypeError):
            return HttpResponseBadRequest("This form has expired or was altered. Reload the page.")
        pending = NewResponse(code=response_code, source=Response.Source.LINK, is_test=preview)
        if request.POST.get("nav") == "back":
            response = responses.filter(code=response_code).first()
        # Otherwise saving the page finds the response this code started, if any: most posts
        # are a new respondent's first, which need not look for it first.
    elif is_embedded(request):
        # No cookie in a frame: the page after a saved one names its response in the address.
        try:
            remembered = signing.loads(request.GET.get("rt", ""), salt=salt)
        except signing.BadSignature:
            remembered = None
        if remembered:
            response = responses.filter(code=remembered).first()
    elif not (preview and request.GET.get("again")):
        remembered = request.get_signed_cookie(cookie, default=None, salt=salt)
        if remembered:
            response = responses.filter(code=remembered).first()
    if is_embedded(request):
        request.survey_customer = _identified_visitor(request, survey.organization)
        if pending is not None and request.survey_customer is not None:
            pending = dataclasses.replace(pending, customer=request.survey_customer)
    rt_code = response.code if response else pending.code if pending else uuid.uuid4()
    result, response = _flow(request, survey, response or pending, rt_code=rt_code, preview=preview)
    if isinstance(response, Response) and not is_embedded(request):
        result.set_signed_cookie(
            cookie,
            str(response.code),
            salt=salt,
            max_age=COOKIE_MAX_AGE,
            httponly=True,
            samesite="Lax",
        )
    return result


@csrf_protect
@ratelimit(key="ip", rate=public_rate, method="POST", block=True)
def personal(request, code, token):
    """Answer a survey through a customer's personal link (one response per link)."""
    survey = _public_survey(code)
    try:
        customer_code, link_key = read_token(survey, token)
    except BadLink:
        raise Http404("This link is not valid.") from None
    customer = Customer.objects.filter(
        organization=survey.organization_id, code=customer_code
    ).first()
    if customer is None:
        raise Http404("This link is not valid.")
    if survey.status != Survey.Status.LIVE:
        return _closed(request, survey)
    response = Response.objects.filter(link_key=link_key).first()
    if response is None and request.method == "POST":
        response = NewResponse(
            code=uuid.uuid4(),
            source=Response.Source.PERSONAL,
            customer=customer,
            link_key=link_key,
        )
    request.survey_customer = customer
    result, _response = _flow(
        request, survey, response, rt_code=None, default_language=customer.language
    )
    return result


def _flow(request, survey, response, rt_code, default_language=None, preview=False):
    """Return the page to show and the response as it stands after this request."""
    requested = request.GET.get("lang") or request.POST.get("lang")
    if isinstance(response, Response) and not requested:
        requested = response.language
    language = pick_language(
        survey, requested or default_language, request.headers.get("Accept-Language", "")
    )
    request.LANGUAGE_CODE = language
    with translation.override(speaking(survey.organization, language)):
        page, response = _page(request, survey, response, rt_code, language, preview)
    page.headers["Content-Language"] = language  # the page's language, not the browser's
    return page, response


def _page(request, survey, response, rt_code, language, preview=False):
    local = localize(survey, language)
    started = response if isinstance(response, Response) else None
    if started is not None and started.status == Response.Status.COMPLETE:
        context = {"local": local, "survey": survey, "preview": preview, "language": language}
        return render(request, "surveys/public/thanks.html", context), started
    values = stored_values(started, local) if started is not None else {}
    errors = {}
    pages = local.visible_pages(values) or local.pages
    page = started.page if started is not None and started.page in pages else pages[0]
    if request.method == "POST":
        posted_page = _int(request.POST.get("page"))
        if posted_page not in local.pages:
            return HttpResponseBadRequest("Unknown page."), started
        if request.POST.get("nav") == "back":
            # Back to the page before, as it was saved; this page's changes are not kept.
            if started is not None:
                do_go_back(local, started, posted_page)
            return redirect(_again(request, survey, started, language, preview)), started
        saved = do_save_page(local, response, posted_page, request.POST)
        if not saved.errors:
            return redirect(_again(request, survey, saved.response, language, preview)), (
                saved.response
            )
        errors, started = saved.errors, saved.response
        by_key = local.by_key()
        page = min(by_key[key].question.page for key in errors)
        # The answers as stored: the posted page was kept when only a required question of
        # another page is missing, and nothing was when the posted page itself has errors.
        values = stored_values(started, local) if started is not None else {}
        if page == posted_page:
            values.update(_posted_values(local, posted_page, request.POST))
    shared = _shared_key(request, survey, local, page, started, errors, preview)
    if shared is not None and (html := _pages.get(shared)) is not None:
        return _filled(request, html, rt_code, survey, preview), started
    seed = str(started.code if started is not None else rt_code or request.path)
    shown = arranged(_shown_questions(local, page, values), seed, page)
    # Who answers, for piping: the response's customer, else the personal link's.
    customer = getattr(started or response, "customer", None) or getattr(
        request, "survey_customer", None
    )
    pages = local.visible_pages(values) or local.pages
    context = {
        "local": local,
        "survey": survey,
        "page": page,
        "page_number": pages.index(page) + 1 if page in pages else 1,
        "page_count": len(pages),
        "is_last": page == pages[-1],
        "questions": [
            {
                "lq": with_options_in_order(
                    piped(lq, local=local, values=values, customer=customer), seed
                ),
                "value": values.get(lq.key),
                "error": errors.get(lq.key),
                "live_logic": live,
                "points": _points(lq),
            }
            for lq, live in shown
        ],
        "errors": errors,
        "known": json.dumps(_known_answers(local, page, values, shown)),
        "rt": signing.dumps(str(rt_code), salt=_salt(survey, preview)) if rt_code else "",
        "preview": preview,
        "language": language,
        "languages": survey.all_languages,
        "kept": _kept(request, survey, started, preview),
    }
    if shared is not None:
        context.update(rt=_RT_MARK, csrf_token=_CSRF_MARK)
        html = render_to_string("surveys/public/page.html", context)
        _pages.put(shared, html)
        return _filled(request, html, rt_code, survey, preview), started
    return render(request, "surveys/public/page.html", context), started


# A new respondent's first page is the same for everyone who opens the link, but for the
# form's two tokens: it is rendered once per survey version, language and brand, with marks
# where the tokens go (random per process, so no survey text can contain them).
_RT_MARK = f"rt-{secrets.token_hex(16)}"
_CSRF_MARK = f"csrf-{secrets.token_hex(16)}"
_pages = versioned_cache(256)


def _shared_key(request, survey, local, page, started, errors, preview) -> tuple | None:
    """The cache key of this page if it is the first page of someone new, else None.

    Not shared: a started response (its answers), a preview, the widget (its address carries
    the response and the visitor), a customer's own link (piping may name them) and a page
    whose questions or options are shuffled per respondent.
    """
    if request.method != "GET" or started is not None or errors or preview:
        return None
    if is_embedded(request) or getattr(request, "survey_customer", None) is not None:
        return None
    for lq in local.on_page(page):
        settings = lq.question.settings or {}
        if settings.get("shuffle") or settings.get("randomize"):
            return None
    brand = survey.organization
    return (
        survey.pk,
        survey.updated_at,
        local.language,
        translation.get_language(),  # the register the workspace speaks in
        page,
        (brand.name, brand.brand_colour, brand.logo.name),
    )


def _filled(request, html: str, rt_code, survey, preview) -> HttpResponse:
    """The shared page with this respondent's two tokens in their places."""
    html = html.replace(_CSRF_MARK, get_token(request), 1)
    html = html.replace(_RT_MARK, signing.dumps(str(rt_code), salt=_salt(survey, preview)), 1)
    return HttpResponse(html)


def _again(request, survey, response, language, preview) -> str:
    """Where the page goes after a post: the survey again, at the response's next page."""
    return f"{request.path}?lang={language}{_kept(request, survey, response, preview)}"


def _kept(request, survey, response, preview) -> str:
    """What the widget's links and redirects carry: with no cookie in a frame to remember
    the response, the address names it, signed (and the visitor's token, if any)."""
    if not is_embedded(request):
        return ""
    query = {}
    if response is not None:
        query["rt"] = signing.dumps(str(response.code), salt=_salt(survey, preview))
    if getattr(request, "visitor_token", ""):
        query["visitor"] = request.visitor_token
    return f"&{urlencode(query)}" if query else ""


def _identified_visitor(request, organization):
    """The customer whom the business's site names with a signed visitor token (the widget),
    who answers as themselves; None for an anonymous visitor or a token that fails."""
    token = request.POST.get("visitor") or request.GET.get("visitor")
    request.visitor_token = ""
    if not token:
        return None
    try:
        visitor = read_visitor_token(organization, token)
        customer = visitor_customer(organization, visitor, create=request.method == "POST")
    except BadVisitorToken as error:
        logger.info("widget survey: visitor not identified: %s", error)
        return None
    request.visitor_token = token
    return customer


def _known_answers(local, page, values, shown) -> dict:
    """The earlier pages' answers that a condition decided in the browser also looks at, as
    the values it compares (a set as a list)."""
    on_page = {lq.key for lq in local.on_page(page)}
    wanted = set().union(*(referenced_keys(lq.question.logic) for lq, live in shown if live))
    types = local.types()
    known = {}
    for key in wanted - on_page:
        if key in values and key in types:
            value = types[key].comparable(values[key])
            known[key] = sorted(value) if isinstance(value, set) else value
    return known


def _closed(request, survey):
    """Say the survey is not open, in the language the respondent asked for or reads."""
    language = pick_language(
        survey, request.GET.get("lang"), request.headers.get("Accept-Language", "")
    )
    with translation.override(speaking(survey.organization, language)):
        page = render(
            request,
            "surveys/public/closed.html",
            {"survey": survey, "language": language},
            status=404,
        )
    page.headers["Content-Language"] = language
    return page


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _points(lq):
    kind = lq.kind
    return kind.points(lq.question) if kind.has_scale else []


def _posted_values(local, page, data) -> dict:
    """Return what was posted on a page, as far as it parses, to refill the form after errors."""
    values = {}
    for lq in local.on_page(page):
        try:
            values[lq.key] = lq.kind.parse_form(lq, data)
        except Exception:  # noqa: BLE001 - an unparsable answer is simply not refilled
            values[lq.key] = None
    return values


def _shown_questions(local, page, values):
    """Return (question, decided-in-browser) pairs of the questions to render on `page`."""
    same_page = {lq.key for lq in local.on_page(page)}
    shown = []
    for lq in local.on_page(page):
        if referenced_keys(lq.question.logic) & same_page:
            shown.append((lq, True))
        elif local.visible(lq, values):
            shown.append((lq, False))
    return shown
