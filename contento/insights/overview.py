"""The workspace overview: NPS, CSAT and CES across all surveys, by month and by slice.

Everything is computed from `ScoreCount` (counts per score, day and slice): one grouped read
of a few thousand rows, whatever the number of answers.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from contento.insights.models import ScoreCount
from contento.surveys.metrics import Figure, estimate


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


def _rows(organization, kind: str, since: dt.date | None, dimension: str):
    rows = ScoreCount.objects.filter(
        survey__organization=organization,
        question__kind=kind,
        item_key="",
        part="",
        dimension=dimension,
        n__gt=0,
    )
    if since:
        rows = rows.filter(day__gte=since)
    return rows


def by_month(organization, kind: str, months: int = 12) -> list[Slice]:
    """Return the metric for each of the last `months` calendar months (empty ones included)."""
    today = timezone.localdate()
    year, month_number = divmod(today.year * 12 + today.month - 1 - (months - 1), 12)
    first = dt.date(year, month_number + 1, 1)
    counts: dict[dt.date, dict[int, int]] = defaultdict(dict)
    rows = (
        _rows(organization, kind, first, "all")
        .annotate(month=TruncMonth("day"))
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
    organization, kind: str, dimension: str, since: dt.date | None = None
) -> list[Slice]:
    """Return the metric for each value of a dimension (each language, ...), largest first."""
    counts: dict[str, dict[int, int]] = defaultdict(dict)
    rows = (
        _rows(organization, kind, since, dimension)
        .values_list("dimension_value", "value")
        .annotate(total=Sum("n"))
        .order_by()
    )
    for label, value, total in rows:
        counts[label][value] = total
    slices = [Slice(label, c, estimate(kind, c)) for label, c in counts.items()]
    return sorted(slices, key=lambda s: -s.n)
