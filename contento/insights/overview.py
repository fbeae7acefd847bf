"""The workspace overview: NPS, CSAT and CES across all surveys, by month and by slice.

Everything is computed from `MonthlyScoreCount` (counts per score, month and slice): one
grouped read of a few thousand rows, whatever the number of answers. `page` gathers what the
overview page shows of one metric: its trend with a control chart, and its slices by a
dimension (`contento.insights.slices`), each compared with all the others.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contento import stats
from contento.insights.slices import (
    SUPPORT_DIMENSIONS,
    ControlLimits,
    Difference,
    Slice,
    available,
    by_slice,
    dimension_name,
)
from contento.surveys.metrics import estimate
from contento.surveys.models import MonthlyScoreCount

METRICS = {
    "nps": _("Net Promoter Score"),
    "csat": _("Customer satisfaction (percent satisfied)"),
    "ces": _("Customer effort (mean, 7 = easy)"),
}


def _rows(organization, kind: str, since: dt.date | None, dimension: str, survey=None):
    rows = MonthlyScoreCount.objects.filter(
        survey__organization=organization,
        question__kind=kind,
        item_key="",
        part="",
        dimension=dimension,
        n__gt=0,
    )
    if since:
        rows = rows.filter(month__gte=since.replace(day=1))
    if survey is not None:
        rows = rows.filter(survey=survey)
    return rows


def by_month(organization, kind: str, months: int = 12, survey=None) -> list[Slice]:
    """Return the metric for each of the last `months` calendar months (empty ones included).

    Across all the workspace's surveys, or only `survey`'s.
    """
    today = timezone.localdate()
    year, month_number = divmod(today.year * 12 + today.month - 1 - (months - 1), 12)
    first = dt.date(year, month_number + 1, 1)
    counts: dict[dt.date, dict[int, int]] = defaultdict(dict)
    rows = (
        _rows(organization, kind, first, "all", survey)
        .values_list("month", "value")
        .annotate(total=Sum("n"))
        .order_by()
    )
    for month, value, total in rows:
        counts[month][value] = total
    result, month = [], first
    while month <= today:
        month_counts = counts.get(month, {})
        result.append(Slice(month.strftime("%Y-%m"), month_counts, estimate(kind, month_counts)))
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return result


def by_dimension(
    organization, kind: str, dimension: str, since: dt.date | None = None, survey=None
) -> list[Slice]:
    """Return the metric for each value of a dimension (each language, ...), largest first."""
    counts: dict[str, dict[int, int]] = defaultdict(dict)
    rows = (
        _rows(organization, kind, since, dimension, survey)
        .values_list("dimension_value", "value")
        .annotate(total=Sum("n"))
        .order_by()
    )
    for label, value, total in rows:
        counts[label][value] = total
    slices = [Slice(label, c, estimate(kind, c)) for label, c in counts.items()]
    return sorted(slices, key=lambda s: -s.n)


def _per_answer(kind: str, value: int) -> float:
    """Return an answer's contribution: NPS as +100/0/−100 (its mean is the NPS), else the score."""
    if kind == "nps":
        return 100.0 * stats.nps_category(value)
    return float(value)


def summary(kind: str, counts: dict[int, int]) -> tuple:
    """Return (successes, n) for CSAT, (mean, sd, n) for NPS and CES, from counts per score."""
    n = sum(counts.values())
    if kind == "csat":
        return (sum(c for v, c in counts.items() if stats.csat_category(v) == 1), n)
    mean = sum(_per_answer(kind, v) * c for v, c in counts.items()) / n if n else 0.0
    if n < 2:
        return (mean, 0.0, n)
    variance = sum(c * (_per_answer(kind, v) - mean) ** 2 for v, c in counts.items()) / (n - 1)
    return (mean, variance**0.5, n)


@dataclass(frozen=True)
class Trend:
    """A metric month by month, with its control chart.

    `method` names the chart ("p-chart", "ewma"); it is None when too few months have
    answers for one, and then no month has limits.
    """

    months: tuple[Slice, ...]
    method: str | None = None

    @property
    def latest(self) -> Slice | None:
        """The latest month with answers."""
        return next((m for m in reversed(self.months) if m.n), None)


def control_limits(kind: str, months: Sequence[Slice]) -> Trend:
    """Return the months with their control limits and significant drops flagged.

    CSAT is a rate: a p-chart with limits per month (Montgomery). NPS and CES are means: an
    EWMA chart of the monthly values (Roberts 1959). Months without answers are skipped.
    """
    filled = [i for i, m in enumerate(months) if m.n]
    try:
        if kind == "csat":
            p_chart = stats.p_chart(
                [summary(kind, months[i].counts)[0] for i in filled], [months[i].n for i in filled]
            )
            method = p_chart.method
            limits = [
                ControlLimits(100 * p_chart.center, 100 * p.lower, 100 * p.upper, p.below)
                for p in p_chart.points
            ]
        else:
            ewma = stats.ewma_chart([months[i].figure.value for i in filled])
            method = ewma.method
            limits = [
                ControlLimits(ewma.target, p.lower, p.upper, p.below, ewma=p.ewma)
                for p in ewma.points
            ]
    except stats.NotEnoughData:
        return Trend(tuple(months))
    by_index = dict(zip(filled, limits, strict=True))
    marked = tuple(
        replace(m, limits=by_index[i]) if i in by_index else m for i, m in enumerate(months)
    )
    return Trend(marked, method)


def trend(organization, kind: str, months: int = 12, survey=None) -> Trend:
    """Return the metric for each of the last `months` months, with its control chart."""
    return control_limits(kind, by_month(organization, kind, months, survey=survey))


def compare(kind: str, slices: Sequence[Slice]) -> list[Slice]:
    """Return the slices, each compared with all the others (Benjamini–Hochberg adjusted).

    Two-proportion z tests for CSAT, Welch tests for NPS and CES. A slice that could not be
    compared (no answers, or too few slices with answers) keeps `difference` None.
    """
    segments = {s.label: summary(kind, s.counts) for s in slices if s.n}
    try:
        result = stats.compare_segments(segments, measure="rate" if kind == "csat" else "mean")
    except stats.NotEnoughData:
        return list(slices)
    scale = 100 if kind == "csat" else 1
    by_name = {r.name: r for r in result.segments}
    return [
        replace(s, difference=Difference(r.difference * scale, r.q_value, r.significant))
        if (r := by_name.get(s.label)) is not None
        else s
        for s in slices
    ]


@dataclass(frozen=True)
class OverviewPage:
    """What the overview shows of one metric: its trend, and its slices by a dimension.

    `slices` is empty when the dimension cannot slice the metric (`sliceable` False: support
    teams and agents are rated on CSAT only).
    """

    metric: str
    dimension: str
    trend: Trend
    slices: tuple[Slice, ...]
    sliceable: bool

    @property
    def title(self) -> str:
        """The metric's name."""
        return str(METRICS[self.metric])

    @property
    def dimension_name(self) -> str:
        """What to call the dimension on the page."""
        return dimension_name(self.dimension)

    @property
    def support_dimension(self) -> bool:
        """Whether the slices are support teams or agents (rated after solved tickets)."""
        return self.dimension in SUPPORT_DIMENSIONS


def page(
    organization,
    metric: str,
    dimension: str = "language",
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
    survey=None,
) -> OverviewPage:
    """Compute the overview of one metric, across the workspace or of `survey` alone.

    The trend covers the last 12 months whatever the dates; the slices, the answers from
    `since` to `until`.
    """
    monthly = trend(organization, metric, survey=survey)
    sliceable = available(dimension, metric)
    slices: list[Slice] = []
    if sliceable:
        slices = compare(
            metric,
            by_slice(organization, metric, dimension, since=since, until=until, survey=survey),
        )
    return OverviewPage(metric, dimension, monthly, tuple(slices), sliceable)
