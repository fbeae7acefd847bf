"""Insight pages: what the whole workspace's customers say, with honest uncertainty."""

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from contento.accounts.access import member_required
from contento.core.charts import interval_chart
from contento.insights import overview as figures

METRICS = {
    "nps": (_("Net Promoter Score"), (-100, 100)),
    "csat": (_("Customer satisfaction (percent satisfied)"), (0, 100)),
    "ces": (_("Customer effort (mean, 7 = easy)"), (1, 7)),
}
LANGUAGE_NAMES = dict(settings.LANGUAGES)


@member_required("survey.view")
def overview(request, membership, metric="nps"):
    if metric not in METRICS:
        raise Http404
    title, y_range = METRICS[metric]
    org = membership.organization
    months = figures.by_month(org, metric)
    chart = figures.control_limits(metric, months)
    languages = figures.by_dimension(org, metric, "language")
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
    return render(request, "insights/overview.html", context)
