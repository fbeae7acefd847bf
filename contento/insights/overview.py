"""The workspace overview: NPS, CSAT and CES across all surveys, by month and by slice.

Everything is computed from `MonthlyScoreCount` (counts per score, month and slice): one
grouped read of a few thousand rows, whatever the number of answers.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Sum
from django.utils import timezone

from contento import stats
from contento.surveys.metrics import Figure, estimate
from contento.surveys.models import MonthlyScoreCount

# CSAT counts the top two boxes of 1–5; NPS and CES are means of a per-answer score.
CSAT_TOP = (4, 5)


@dataclass
class Slice:
    """One period or one segment: its counts per score and the metric computed from them."""

    label: str
    counts: dict[int, int]
    figure: Figure | None = None
    extra: dict = field(default_factory=dict)

    @property
    def n(self) -> int:
        return sum(self.counts.values())


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
        slice_ = Slice(month.strftime("%Y-%m"), counts.get(month, {}))
        slice_.figure = estimate(kind, slice_.counts)
        result.append(slice_)
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
        return 100.0 if value >= 9 else -100.0 if value <= 6 else 0.0
    return float(value)


def summary(kind: str, counts: dict[int, int]) -> tuple:
    """Return (successes, n) for CSAT, (mean, sd, n) for NPS and CES, from counts per score."""
    n = sum(counts.values())
    if kind == "csat":
        return (sum(c for v, c in counts.items() if v in CSAT_TOP), n)
    mean = sum(_per_answer(kind, v) * c for v, c in counts.items()) / n if n else 0.0
    if n < 2:
        return (mean, 0.0, n)
    variance = sum(c * (_per_answer(kind, v) - mean) ** 2 for v, c in counts.items()) / (n - 1)
    return (mean, variance**0.5, n)


def control_limits(kind: str, months: list[Slice]):
    """Add control limits to the months and flag significant drops (None with too little data).

    CSAT is a rate: a p-chart with limits per month (Montgomery). NPS and CES are means: an
    EWMA chart of the monthly values (Roberts 1959). Months without answers are skipped.
    """
    filled = [m for m in months if m.n]
    try:
        if kind == "csat":
            chart = stats.p_chart(
                [summary(kind, m.counts)[0] for m in filled], [m.n for m in filled]
            )
            for month, point in zip(filled, chart.points, strict=True):
                month.extra.update(
                    centre=100 * chart.center,
                    lower_limit=100 * point.lower,
                    upper_limit=100 * point.upper,
                    drop=point.below,
                )
        else:
            chart = stats.ewma_chart([m.figure.value for m in filled])
            for month, point in zip(filled, chart.points, strict=True):
                month.extra.update(
                    centre=chart.target,
                    lower_limit=point.lower,
                    upper_limit=point.upper,
                    drop=point.below,
                    ewma=point.ewma,
                )
    except stats.NotEnoughData:
        return None
    return chart


def compare(kind: str, slices: list[Slice]):
    """Compare each slice with all the others, Benjamini–Hochberg adjusted; mark the slices."""
    segments = {s.label: summary(kind, s.counts) for s in slices if s.n}
    try:
        result = stats.compare_segments(segments, measure="rate" if kind == "csat" else "mean")
    except stats.NotEnoughData:
        return None
    scale = 100 if kind == "csat" else 1
    by_name = {r.name: r for r in result.segments}
    for slice_ in slices:
        r = by_name.get(slice_.label)
        if r is not None:
            slice_.extra.update(
                difference=r.difference * scale,
                q_value=r.q_value,
                significant=r.significant,
                better=r.significant and r.difference > 0,
                worse=r.significant and r.difference < 0,
            )
    return result
