"""Insight pages: what the whole workspace's customers say, with honest uncertainty."""

from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from contento import stats
from contento.accounts.access import member_required
from contento.core import downloads
from contento.core.charts import interval_chart, quadrant_chart
from contento.insights import drivers as driver_analysis
from contento.insights import overview as figures
from contento.insights.actions import do_set_weekly_report
from contento.insights.gaps import item_gaps
from contento.insights.kano import features as kano_features
from contento.insights.models import ReportSubscription
from contento.surveys.access import access_survey
from contento.surveys.localize import display_language, localize

METRICS = {
    "nps": (_("Net Promoter Score"), (-100, 100)),
    "csat": (_("Customer satisfaction (percent satisfied)"), (0, 100)),
    "ces": (_("Customer effort (mean, 7 = easy)"), (1, 7)),
}
LANGUAGE_NAMES = dict(settings.LANGUAGES)


def _language_filter(request) -> str | None:
    """Return the respondents' language a page is filtered to (?language=), if a known one."""
    language = request.GET.get("language")
    return language if language in LANGUAGE_NAMES else None


@member_required("survey.view")
def overview(request, membership, metric="nps", code=None):
    if metric not in METRICS:
        raise Http404
    survey = access_survey(membership, code, "survey.view") if code else None
    title, y_range = METRICS[metric]
    org = membership.organization
    months = figures.by_month(org, metric, survey=survey)
    chart = figures.control_limits(metric, months)
    languages = figures.by_dimension(org, metric, "language", survey=survey)
    comparison = figures.compare(metric, languages)
    for slice_ in languages:
        slice_.extra["name"] = LANGUAGE_NAMES.get(slice_.label, slice_.label)
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

    def point(s):
        f = s.figure
        return (s.label, f.value if f else None, f.lower if f else None, f.upper if f else None)

    context = {
        "subscribed": ReportSubscription.objects.filter(membership=membership).exists(),
        "survey": survey,
        "metric": metric,
        "metrics": [(key, label) for key, (label, _r) in METRICS.items()],
        "title": title,
        "months": months,
        "languages": languages,
        "comparison": comparison,
        "chart_method": chart.method if chart is not None else None,
        "trend_chart": interval_chart(
            [point(s) for s in months],
            title=str(title),
            y_range=y_range,
            lines=lines,
            flagged=[bool(m.extra.get("drop")) for m in months],
        ),
        "language_chart": interval_chart(
            [point(s) for s in languages], title=str(title), y_range=y_range
        ),
    }
    download = downloads.wanted(request)
    by_language = request.GET.get("chart") == "language"
    name = f"{metric}-{'by-language' if by_language else 'by-month'}"
    if download == "svg":
        return downloads.svg_response(
            context["language_chart" if by_language else "trend_chart"], name
        )
    if download == "csv":
        if by_language:
            header = ["language", "value", "lower", "upper", "n", "difference", "q", "significant"]
            rows = [
                [
                    s.label,
                    *_figure_cells(s),
                    s.extra.get("difference"),
                    s.extra.get("q_value"),
                    s.extra.get("significant"),
                ]
                for s in languages
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
    context = {
        "subscribed": ReportSubscription.objects.filter(membership=membership).exists(),
        "survey": survey,
        "local": local,
        "outcomes": outcomes,
        "outcome": outcome,
        "language": language,
        "languages": settings.LANGUAGES,
        "result": None,
    }
    chosen = [v for v in items if outcome is None or v.question_id != outcome.question_id]
    if outcome is not None and len(chosen) >= 2:
        try:
            result = driver_analysis.analyse(survey, outcome, chosen, language)
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


@require_POST
@member_required("survey.view")
def weekly_report(request, membership):
    do_set_weekly_report(membership, request.POST.get("subscribe") == "1")
    return redirect("insights:overview")
