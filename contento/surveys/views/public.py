"""The public survey page: what a customer sees, with no sign-in.

Server-rendered and usable without JavaScript. A response is saved page by page; its code is
carried in a signed hidden field (open link) or derived from the personal link, so a double
or retried submit updates the same response instead of creating a second one.
"""

import uuid

from django.core import signing
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.views.decorators.csrf import csrf_protect
from django_ratelimit.decorators import ratelimit

from contento.core.ratelimits import public_rate
from contento.customers.models import Customer
from contento.surveys.actions import NewResponse, do_save_page, stored_values
from contento.surveys.links import BadLink, read_token
from contento.surveys.localize import localize, pick_language
from contento.surveys.models import Response, Survey

COOKIE_MAX_AGE = 60 * 60 * 24 * 60


def _cookie_name(survey) -> str:
    return f"ctr_{survey.code.hex[:16]}"


def _salt(survey) -> str:
    return f"contento.surveys.response:{survey.code}"


def _public_survey(code) -> Survey:
    """The survey with this code, whatever its status (a closed one shows it is closed)."""
    return get_object_or_404(Survey.objects.select_related("organization"), code=code)


@csrf_protect
@ratelimit(key="ip", rate=public_rate, method="POST", block=True)
def public(request, code):
    """Answer a survey through its open link."""
    survey = _public_survey(code)
    if survey.status != Survey.Status.LIVE:
        return _closed(request, survey)
    response = pending = None
    if request.method == "POST":
        try:
            response_code = uuid.UUID(signing.loads(request.POST.get("rt", ""), salt=_salt(survey)))
        except (signing.BadSignature, ValueError, TypeError):
            return HttpResponseBadRequest("This form has expired or was altered. Reload the page.")
        response = Response.objects.filter(survey=survey, code=response_code).first()
        pending = NewResponse(code=response_code, source=Response.Source.LINK)
    else:
        remembered = request.get_signed_cookie(
            _cookie_name(survey), default=None, salt=_salt(survey)
        )
        if remembered:
            response = Response.objects.filter(survey=survey, code=remembered).first()
    rt_code = response.code if response else pending.code if pending else uuid.uuid4()
    result, response = _flow(request, survey, response or pending, rt_code=rt_code)
    if isinstance(response, Response):
        result.set_signed_cookie(
            _cookie_name(survey),
            str(response.code),
            salt=_salt(survey),
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
    result, _response = _flow(
        request, survey, response, rt_code=None, default_language=customer.language
    )
    return result


def _flow(request, survey, response, rt_code, default_language=None):
    """Return the page to show and the response as it stands after this request."""
    requested = request.GET.get("lang") or request.POST.get("lang")
    if isinstance(response, Response) and not requested:
        requested = response.language
    language = pick_language(
        survey, requested or default_language, request.headers.get("Accept-Language", "")
    )
    request.LANGUAGE_CODE = language
    with translation.override(language):
        page, response = _page(request, survey, response, rt_code, language)
    page.headers["Content-Language"] = language  # the page's language, not the browser's
    return page, response


def _page(request, survey, response, rt_code, language):
    local = localize(survey, language)
    started = response if isinstance(response, Response) else None
    if started is not None and started.status == Response.Status.COMPLETE:
        return render(request, "surveys/public/thanks.html", {"local": local}), started
    values = stored_values(started, local) if started is not None else {}
    errors = {}
    pages = local.visible_pages(values) or local.pages
    page = started.page if started is not None and started.page in pages else pages[0]
    if request.method == "POST":
        posted_page = _int(request.POST.get("page"))
        if posted_page not in local.pages:
            return HttpResponseBadRequest("Unknown page."), started
        saved = do_save_page(local, response, posted_page, request.POST)
        if not saved.errors:
            return redirect(f"{request.path}?lang={language}"), saved.response
        errors, started = saved.errors, saved.response
        by_key = local.by_key()
        page = min(by_key[key].question.page for key in errors)
        if page == posted_page:
            values.update(_posted_values(local, posted_page, request.POST))
        else:  # the posted page was kept; a required question of an earlier page is missing
            values = stored_values(started, local)
    shown = _shown_questions(local, page, values)
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
                "lq": lq,
                "value": values.get(lq.key),
                "error": errors.get(lq.key),
                "live_logic": live,
                "points": _points(lq),
            }
            for lq, live in shown
        ],
        "errors": errors,
        "rt": signing.dumps(str(rt_code), salt=_salt(survey)) if rt_code else "",
        "language": language,
        "languages": survey.all_languages,
    }
    return render(request, "surveys/public/page.html", context), started


def _closed(request, survey):
    return render(request, "surveys/public/closed.html", {"survey": survey}, status=404)


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
        logic = lq.question.logic
        if logic and logic.get("question") in same_page:
            shown.append((lq, True))
        elif local.visible(lq, values):
            shown.append((lq, False))
    return shown
