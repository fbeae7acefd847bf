"""Insight pages: what the whole workspace's customers say, with honest uncertainty."""

import uuid

from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from contento import stats
from contento.accounts.access import member_required
from contento.core import downloads
from contento.core.charts import PALETTE, column_chart, interval_chart, quadrant_chart
from contento.insights import comments as comment_insights
from contento.insights import drivers as driver_analysis
from contento.insights import loyalty as loyalty_analysis
from contento.insights import overview as figures
from contento.insights.actions import do_set_weekly_report
from contento.insights.forms import WINDOW_DAYS, DateRangeForm, LoyaltyForm, SliceForm
from contento.insights.gaps import item_gaps
from contento.insights.kano import features as kano_features
from contento.insights.models import ReportSubscription
from contento.insights.periods import Period
from contento.insights.slices import (
    SUPPORT_DIMENSIONS,
    attribute_keys,
    available,
    by_slice,
    dimension_name,
)
from contento.surveys.access import access_survey
from contento.surveys.localize import display_language, localize

METRICS = {
    "nps": (_("Net Promoter Score"), (-100, 100)),
    "csat": (_("Customer satisfaction (percent satisfied)"), (0, 100)),
    "ces": (_("Customer effort (mean, 7 = easy)"), (1, 7)),
}
LANGUAGE_NAMES = dict(settings.LANGUAGES)
SLICES_CHARTED = 20  # the chart shows the largest values; the table and CSV show them all


def _language_filter(request) -> str | None:
    """Return the respondents' language a page is filtered to (?language=), if a known one."""
    language = request.GET.get("language")
    return language if language in LANGUAGE_NAMES else None


def _short(name: str, limit: int = 14) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"


@member_required("survey.view")
def overview(request, membership, metric="nps", code=None):
    if metric not in METRICS:
        raise Http404
    survey = access_survey(membership, code, "survey.view") if code else None
    title, y_range = METRICS[metric]
    org = membership.organization
    form = SliceForm(request.GET or None, attributes=attribute_keys(org))
    since, until = form.dates()
    dimension = (form.cleaned_data.get("slice") if form.is_valid() else None) or "language"
    months = figures.by_month(org, metric, survey=survey)
    chart = figures.control_limits(metric, months)
    slices, comparison = [], None
    if available(dimension, metric):
        slices = by_slice(org, metric, dimension, since=since, until=until, survey=survey)
        comparison = figures.compare(metric, slices)
    lines = None
    if chart is not None:
        lines = {
            name: [m.extra.get(field) for m in months]
            for name, field in (
                ("centre", "centre"),
                ("lower", "lower_limit"),
                ("upper", "upper_limit"),
            )
        }

    def point(s, label=None):
        f = s.figure
        return (
            label or s.label,
            f.value if f else None,
            f.lower if f else None,
            f.upper if f else None,
        )

    query = request.GET.copy()
    for key in ("download", "chart"):
        query.pop(key, None)
    context = {
        "subscribed": ReportSubscription.objects.filter(membership=membership).exists(),
        "survey": survey,
        "metric": metric,
        "metrics": [(key, label) for key, (label, _r) in METRICS.items()],
        "title": title,
        "form": form,
        "since": since,
        "until": until,
        "query": query.urlencode(),
        "dimension": dimension,
        "dimension_name": dimension_name(dimension),
        "slice_available": available(dimension, metric),
        "support_dimension": dimension in SUPPORT_DIMENSIONS,
        "months": months,
        "slices": slices,
        "comparison": comparison,
        "chart_method": chart.method if chart is not None else None,
        "trend_chart": interval_chart(
            [point(s) for s in months],
            title=str(title),
            y_range=y_range,
            lines=lines,
            flagged=[bool(m.extra.get("drop")) for m in months],
        ),
        "slice_chart": interval_chart(
            [point(s, _short(s.extra["name"])) for s in slices[:SLICES_CHARTED]],
            title=str(title),
            y_range=y_range,
        ),
    }
    download = downloads.wanted(request)
    # "language" is the slice chart's name from before slices had a choice of dimension.
    by_slice_chart = request.GET.get("chart") in ("slice", "language")
    name = f"{metric}-by-{dimension.replace(':', '-') if by_slice_chart else 'month'}"
    if download == "svg":
        return downloads.svg_response(
            context["slice_chart" if by_slice_chart else "trend_chart"], name
        )
    if download == "csv":
        if by_slice_chart:
            header = [
                dimension,
                "value",
                "lower",
                "upper",
                "n",
                "difference",
                "q",
                "significant",
                "name",
            ]
            rows = [
                [
                    s.label,
                    *_figure_cells(s),
                    s.extra.get("difference"),
                    s.extra.get("q_value"),
                    s.extra.get("significant"),
                    s.extra["name"],
                ]
                for s in slices
            ]
        else:
            header = ["month", "value", "lower", "upper", "n", "lower_limit", "upper_limit", "drop"]
            rows = [
                [
                    s.label,
                    *_figure_cells(s),
                    s.extra.get("lower_limit"),
                    s.extra.get("upper_limit"),
                    s.extra.get("drop"),
                ]
                for s in months
            ]
        return downloads.csv_response(header, rows, name)
    return render(request, "insights/overview.html", context)


def _figure_cells(slice_):
    f = slice_.figure
    return [f.value if f else None, f.lower if f else None, f.upper if f else None, slice_.n]


QUADRANT_COLOURS = {
    stats.CONCENTRATE_HERE: "bad",
    stats.KEEP_UP_THE_GOOD_WORK: "good",
    stats.LOW_PRIORITY: "neutral",
    stats.POSSIBLE_OVERKILL: "default",
}
QUADRANT_NAMES = {
    stats.CONCENTRATE_HERE: _("Fix first: important and weak"),
    stats.KEEP_UP_THE_GOOD_WORK: _("Keep up the good work"),
    stats.LOW_PRIORITY: _("Low priority"),
    stats.POSSIBLE_OVERKILL: _("Possible overkill"),
}


@member_required("survey.view")
def drivers(request, membership, code):
    survey = access_survey(membership, code, "survey.view")
    local = localize(survey, display_language(request, survey))
    outcomes, items = driver_analysis.variables(local)
    outcome = next(
        (o for o in outcomes if o.name == request.GET.get("outcome")),
        outcomes[0] if outcomes else None,
    )
    language = _language_filter(request)
    dates = DateRangeForm(request.GET or None)
    since, until = dates.dates()
    context = {
        "subscribed": ReportSubscription.objects.filter(membership=membership).exists(),
        "survey": survey,
        "local": local,
        "outcomes": outcomes,
        "outcome": outcome,
        "language": language,
        "languages": settings.LANGUAGES,
        "dates": dates,
        "since": since,
        "until": until,
        "result": None,
    }
    chosen = [v for v in items if outcome is None or v.question_id != outcome.question_id]
    if outcome is not None and len(chosen) >= 2:
        period = Period(since, until)
        try:
            result = driver_analysis.analyse(survey, outcome, chosen, language, period)
        except stats.NotEnoughData as error:
            context["not_enough"] = str(error)
        else:
            for row in result["rows"]:
                row["quadrant_name"] = QUADRANT_NAMES[row["quadrant"]]
            context["result"] = result
            context["chart"] = quadrant_chart(
                [
                    (r["label"], r["performance"], r["percent"], QUADRANT_COLOURS[r["quadrant"]])
                    for r in result["rows"]
                ],
                title=str(_("Importance and performance")),
                x_label=str(_("Performance (mean rating)")),
                y_label=str(_("Importance (percent of explained variance)")),
                x_cut=result["ipa"].performance_cut,
                y_cut=100 * result["ipa"].importance_cut / (result["shapley"].r_squared or 1),
            )
    download = downloads.wanted(request)
    if download and context.get("result"):
        if download == "svg":
            return downloads.svg_response(context["chart"], "drivers")
        header = [
            "item",
            "importance",
            "percent",
            "lower",
            "upper",
            "relative_weight_percent",
            "performance",
            "quadrant",
        ]
        rows = [
            [
                r["label"],
                r["importance"],
                r["percent"],
                r["lower"],
                r["upper"],
                r["weight_percent"],
                r["performance"],
                r["quadrant"],
            ]
            for r in context["result"]["rows"]
        ]
        return downloads.csv_response(header, rows, "drivers")
    return render(request, "insights/drivers.html", context)


@member_required("survey.view")
def gaps(request, membership, code):
    survey = access_survey(membership, code, "survey.view")
    language = _language_filter(request)
    rows = item_gaps(localize(survey, display_language(request, survey)), language)
    measured = [r for r in rows if r["gap"]]
    chart = None
    if measured:
        spread = max(max(abs(r["gap"].lower), abs(r["gap"].upper)) for r in measured)
        chart = interval_chart(
            [(r["key"], r["gap"].value, r["gap"].lower, r["gap"].upper) for r in measured],
            title=str(_("Perception minus expectation")),
            y_range=(-max(spread, 1.0), max(spread, 1.0)),
            lines={"centre": [0.0] * len(measured)},
        )
    download = downloads.wanted(request)
    if download == "svg" and chart:
        return downloads.svg_response(chart, "gaps")
    if download == "csv":
        header = ["item", "expected", "perceived", "gap", "lower", "upper", "p", "n"]
        rows = [
            [
                r["key"],
                r["gap"].expected,
                r["gap"].perceived,
                r["gap"].value,
                r["gap"].lower,
                r["gap"].upper,
                r["gap"].p_value,
                r["gap"].n,
            ]
            for r in measured
        ]
        return downloads.csv_response(header, rows, "gaps")
    return render(
        request,
        "insights/gaps.html",
        {
            "survey": survey,
            "rows": rows,
            "chart": chart,
            "language": language,
            "languages": settings.LANGUAGES,
        },
    )


KANO_NAMES = {
    "A": _("Attractive"),
    "O": _("One-dimensional"),
    "M": _("Must-be"),
    "I": _("Indifferent"),
    "R": _("Reverse"),
    "Q": _("Questionable"),
}


@member_required("survey.view")
def kano(request, membership, code):
    survey = access_survey(membership, code, "survey.view")
    rows = kano_features(localize(survey, display_language(request, survey)))
    for row in rows:
        if row["feature"]:
            row["category_name"] = KANO_NAMES.get(row["feature"].category, "")
    measured = [r for r in rows if r["feature"] and r["feature"].better is not None]
    chart = None
    if measured:
        chart = quadrant_chart(
            [(r["key"], -r["feature"].worse, r["feature"].better, "default") for r in measured],
            title=str(_("Kano: satisfaction if present, dissatisfaction if absent")),
            x_label=str(_("Dissatisfaction if absent (|worse|)")),
            y_label=str(_("Satisfaction if present (better)")),
            x_cut=0.5,
            y_cut=0.5,
        )
    download = downloads.wanted(request)
    if download == "svg" and chart:
        return downloads.svg_response(chart, "kano")
    if download == "csv":
        header = ["feature", "n", "A", "O", "M", "I", "R", "Q", "category", "better", "worse"]
        table = [
            [
                r["key"],
                f.n,
                f.attractive,
                f.one_dimensional,
                f.must_be,
                f.indifferent,
                f.reverse,
                f.questionable,
                f.category,
                f.better,
                f.worse,
            ]
            for r in rows
            if (f := r["feature"])
        ]
        return downloads.csv_response(header, table, "kano")
    return render(request, "insights/kano.html", {"survey": survey, "rows": rows, "chart": chart})


OUTCOME_NAMES = {
    "renewal": _("Renewal rate"),
    "repurchase": _("Repurchase rate"),
}


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
    questions = loyalty_analysis.sources(membership.organization)
    question = _loyalty_source(membership, questions, request.GET.get("source"))
    choices = [
        (
            loyalty_analysis.source_value(q),
            f"{q.survey.title} · {q.get_kind_display()} · {q.key}",
        )
        for q in questions
    ]
    form = LoyaltyForm(
        request.GET or None,
        sources=choices,
        initial={"source": question and loyalty_analysis.source_value(question)},
    )
    data = form.cleaned_data if form.is_valid() else {}
    outcome = data.get("outcome") or "renewal"
    window = data.get("window") or WINDOW_DAYS
    context = {
        "form": form,
        "question": question,
        "outcome": outcome,
        "outcome_name": OUTCOME_NAMES[outcome],
        "window": window,
        "result": None,
        "rows": [],
    }
    if question is not None:
        result = loyalty_analysis.analyse(question, outcome, window)
        context["result"] = result
        table, fit = result["table"], result["fit"]
        if fit is not None:
            p = fit.slope_p_value
            context["p_value"] = "< 0.0001" if p < 0.0001 else f"= {p:.4f}"
        if table is not None:
            rows = [
                {
                    "level": level.level,
                    "n": level.n,
                    "successes": level.renewed,
                    "rate": 100 * level.rate.value,
                    "lower": 100 * level.rate.lower,
                    "upper": 100 * level.rate.upper,
                    "revenue": result["revenue_by_level"].get(level.level),
                    "fitted": 100 * fit.predict(level.level) if fit else None,
                }
                for level in table.levels
            ]
            context["rows"] = rows
            context["overall"] = {
                "rate": 100 * table.overall.value,
                "lower": 100 * table.overall.lower,
                "upper": 100 * table.overall.upper,
            }
            context["rate_chart"] = interval_chart(
                [(str(r["level"]), r["rate"], r["lower"], r["upper"]) for r in rows],
                title=str(OUTCOME_NAMES[outcome]),
                y_range=(0, 100),
                lines={str(_("logistic fit")): [r["fitted"] for r in rows]} if fit else None,
            )
            spent = [r["revenue"] for r in rows if r["revenue"] is not None]
            top = max((m.upper for m in spent), default=0.0) or 1.0
            context["revenue_chart"] = interval_chart(
                [
                    (
                        str(r["level"]),
                        r["revenue"].value if r["revenue"] else None,
                        r["revenue"].lower if r["revenue"] else None,
                        r["revenue"].upper if r["revenue"] else None,
                    )
                    for r in rows
                ],
                title=str(_("Revenue per customer")),
                y_range=(0, round(top * 1.1, 2)),
            )
    download = downloads.wanted(request)
    if download and context["rows"]:
        name = f"loyalty-{outcome}"
        if download == "svg":
            revenue = request.GET.get("chart") == "revenue"
            return downloads.svg_response(
                context["revenue_chart" if revenue else "rate_chart"],
                f"{name}-revenue" if revenue else name,
            )
        header = [
            "level",
            "customers",
            "successes",
            "rate",
            "lower",
            "upper",
            "revenue",
            "revenue_lower",
            "revenue_upper",
            "fitted_rate",
        ]
        table_rows = [
            [
                r["level"],
                r["n"],
                r["successes"],
                r["rate"],
                r["lower"],
                r["upper"],
                r["revenue"].value if r["revenue"] else None,
                r["revenue"].lower if r["revenue"] else None,
                r["revenue"].upper if r["revenue"] else None,
                r["fitted"],
            ]
            for r in context["rows"]
        ]
        return downloads.csv_response(header, table_rows, name)
    query = request.GET.copy()
    for key in ("download", "chart"):
        query.pop(key, None)
    context["query"] = query.urlencode()
    return render(request, "insights/loyalty.html", context)


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
    report = comment_insights.theme_report(survey, start, end)
    language = request.GET.get("language") or None
    keywords = comment_insights.keyword_comparison(survey, language, start, end)
    chart = None
    if report.themes and report.comments:
        chart = column_chart(
            [(t.theme.label_in(translation.get_language()), t.size) for t in report.themes],
            title=str(_("Comments per theme")),
            colors=[_tone(t.theme.sentiment)[1] for t in report.themes],
        )
    rows = []
    for trend in report.themes:
        tone, _color, tone_label = _tone(trend.theme.sentiment)
        rows.append(
            {
                "theme": trend.theme,
                "label": trend.theme.label_in(translation.get_language()),
                "size": trend.size,
                "percent": None if trend.share is None else 100 * trend.share,
                "month_percents": [None if s is None else 100 * s for s in trend.shares],
                "tone": tone,
                "tone_label": tone_label,
            }
        )
    return render(
        request,
        "insights/themes.html",
        {
            "survey": survey,
            "dates": dates,
            "report": report,
            "rows": rows,
            "keywords": keywords,
            "chart": chart,
            "can_refresh": membership.can("survey.edit"),
        },
    )


def _tone(sentiment: float | None) -> tuple[str, str, str]:
    """Return (css class, chart colour, words) for a theme's mean sentiment score."""
    if sentiment is None:
        return "unknown", PALETTE["default"], str(_("not read yet"))
    if sentiment <= -0.2:
        return "negative", PALETTE["bad"], str(_("negative"))
    if sentiment >= 0.2:
        return "positive", PALETTE["good"], str(_("positive"))
    return "neutral", PALETTE["neutral"], str(_("mixed or neutral"))
