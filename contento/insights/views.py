"""Insight pages: what the whole workspace's customers say, with honest uncertainty.

Every page has one shape: its module computes a typed result (`overview.page`,
`drivers.page`, ...), `contento.insights.charts` draws its charts and tables, and the view
renders it, or serves one chart as SVG or its table as CSV when the page's download links
ask (`contento.core.downloads.render_or_download`).
"""

import uuid

from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import translation
from django.views.decorators.http import require_POST

from contento.accounts.access import member_required
from contento.core.downloads import page_query, render_or_download
from contento.customers.attributes import attribute_keys
from contento.insights import charts
from contento.insights import comments as comment_insights
from contento.insights import drivers as driver_analysis
from contento.insights import gaps as gap_analysis
from contento.insights import kano as kano_analysis
from contento.insights import loop as loop_figures
from contento.insights import loyalty as loyalty_analysis
from contento.insights import overview as figures
from contento.insights.actions import do_set_weekly_report
from contento.insights.forms import DateRangeForm, LoyaltyForm, SliceForm
from contento.insights.models import ReportSubscription
from contento.surveys.access import access_survey
from contento.surveys.localize import display_language, localize
from contento.surveys.periods import Period

LANGUAGE_NAMES = dict(settings.LANGUAGES)


def _language_filter(request) -> str | None:
    """Return the respondents' language a page is filtered to (?language=), if a known one."""
    language = request.GET.get("language")
    return language if language in LANGUAGE_NAMES else None


@member_required("survey.view")
def overview(request, membership, metric="nps", code=None):
    """One metric by month and by a slice of the answers: the workspace's, or one survey's."""
    if metric not in figures.METRICS:
        raise Http404
    survey = access_survey(membership, code, "survey.view") if code else None
    org = membership.organization
    form = SliceForm(request.GET or None, attributes=attribute_keys(org))
    since, until = form.dates()
    page = figures.page(org, metric, form.dimension(), since=since, until=until, survey=survey)
    context = {
        "page": page,
        "survey": survey,
        "metric": metric,
        "metrics": list(figures.METRICS.items()),
        "form": form,
        "since": since,
        "until": until,
        "query": page_query(request),
        "subscribed": ReportSubscription.objects.filter(membership=membership).exists(),
    }
    return render_or_download(request, "insights/overview.html", context, charts.overview(page))


@member_required("survey.view")
def drivers(request, membership, code):
    """Which rated items move the chosen outcome, and where to act first."""
    survey = access_survey(membership, code, "survey.view")
    local = localize(survey, display_language(request, survey))
    language = _language_filter(request)
    dates = DateRangeForm(request.GET or None)
    since, until = dates.dates()
    page = driver_analysis.page(local, request.GET.get("outcome"), language, Period(since, until))
    context = {
        "page": page,
        "survey": survey,
        "local": local,
        "language": language,
        "languages": settings.LANGUAGES,
        "dates": dates,
        "since": since,
        "until": until,
    }
    return render_or_download(request, "insights/drivers.html", context, charts.drivers(page))


@member_required("survey.view")
def gaps(request, membership, code):
    """What customers got against what they expected, item by item."""
    survey = access_survey(membership, code, "survey.view")
    language = _language_filter(request)
    page = gap_analysis.page(localize(survey, display_language(request, survey)), language)
    context = {
        "page": page,
        "survey": survey,
        "language": language,
        "languages": settings.LANGUAGES,
    }
    return render_or_download(request, "insights/gaps.html", context, charts.gaps(page))


@member_required("survey.view")
def kano(request, membership, code):
    """Each feature's Kano category: must-be, one-dimensional, attractive..."""
    survey = access_survey(membership, code, "survey.view")
    page = kano_analysis.page(localize(survey, display_language(request, survey)))
    context = {"page": page, "survey": survey}
    return render_or_download(request, "insights/kano.html", context, charts.kano(page))


def _loyalty_source(membership, questions, wanted: str | None):
    """Return the chosen satisfaction question (404 for one outside the workspace)."""
    if not wanted:
        return questions[0] if questions else None
    code, _sep, key = wanted.partition(":")
    try:
        code = uuid.UUID(code)
    except ValueError:
        raise Http404("No such question.") from None
    survey = access_survey(membership, code, "survey.view")
    question = next((q for q in questions if q.survey_id == survey.pk and q.key == key), None)
    if question is None:
        raise Http404("No such question.")
    return question


@member_required("survey.view")
def loyalty(request, membership):
    """What customers did after saying how satisfied they were: renewals and revenue."""
    questions = loyalty_analysis.sources(membership.organization)
    question = _loyalty_source(membership, questions, request.GET.get("source"))
    form = LoyaltyForm(
        request.GET or None,
        sources=[
            (
                loyalty_analysis.source_value(q),
                f"{q.survey.title} · {q.get_kind_display()} · {q.key}",
            )
            for q in questions
        ],
        initial={"source": question and loyalty_analysis.source_value(question)},
    )
    outcome, window = form.chosen()
    page = loyalty_analysis.page(question, outcome, window)
    context = {"page": page, "form": form, "question": question, "query": page_query(request)}
    return render_or_download(request, "insights/loyalty.html", context, charts.loyalty(page))


@member_required("survey.view")
def loop(request, membership):
    """Whether unhappy customers are followed up, how fast, and whether it wins them back."""
    return render(
        request, "insights/loop.html", {"figures": loop_figures.figures(membership.organization)}
    )


@require_POST
@member_required("survey.view")
def weekly_report(request, membership):
    do_set_weekly_report(membership, request.POST.get("subscribe") == "1")
    return redirect("insights:overview")


@member_required("survey.view")
def themes(request, membership, code):
    """What customers write about: themes with size, sentiment and monthly share, and the
    terms that set detractors apart from promoters."""
    survey = access_survey(membership, code, "survey.view")
    dates = DateRangeForm(request.GET or None)
    since, until = dates.dates()
    start, end = Period(since, until).bounds()
    language = request.GET.get("language") or None
    page = comment_insights.page(survey, translation.get_language(), start, end, language)
    context = {
        "page": page,
        "chart": charts.themes(page),
        "survey": survey,
        "dates": dates,
        "can_refresh": membership.can("survey.edit"),
    }
    return render(request, "insights/themes.html", context)
