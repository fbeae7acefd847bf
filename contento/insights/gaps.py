"""Expectation–perception gaps of a survey's expectation items, from the pair sums.

`page` is what the gap page shows: each expectation item's gap with its interval, or why
there is none yet.
"""

from dataclasses import dataclass

from django.db.models import Sum

from contento import stats
from contento.surveys.models import PairMoment

FIELDS = ("n", "sum_a", "sum_b", "sum_aa", "sum_bb", "sum_ab")


@dataclass(frozen=True)
class ItemGap:
    """An expectation item (its text and key) with its gap, or the reason it has none."""

    label: str
    key: str
    gap: stats.Gap | None = None
    reason: str = ""


@dataclass(frozen=True)
class GapsPage:
    """The survey's expectation items, in the survey's order, with their gaps."""

    rows: tuple[ItemGap, ...]

    @property
    def measured(self) -> tuple[ItemGap, ...]:
        """The items with enough answers for a gap."""
        return tuple(row for row in self.rows if row.gap)


def item_gaps(local, language: str | None = None) -> list[ItemGap]:
    """Return each expectation item's gap with its interval (or why there is none)."""
    result = []
    for lq in local.questions:
        if lq.question.kind != "expectation":
            continue
        expected, perceived = f"{lq.question.id}::expected", f"{lq.question.id}::perceived"
        sums = PairMoment.objects.filter(
            survey=local.survey,
            var_a=expected,
            var_b=perceived,
            dimension="language" if language else "all",
            dimension_value=language or "",
        ).aggregate(**{f: Sum(f) for f in FIELDS})
        try:
            # var_a sorts first: "expected" < "perceived", so a is the expectation.
            gap = stats.gap_from_moments(
                lq.key,
                sums["n"] or 0,
                sums["sum_a"] or 0,
                sums["sum_b"] or 0,
                sums["sum_aa"] or 0,
                sums["sum_bb"] or 0,
                sums["sum_ab"] or 0,
            )
        except stats.NotEnoughData as error:
            result.append(ItemGap(lq.text, lq.key, reason=str(error)))
        else:
            result.append(ItemGap(lq.text, lq.key, gap))
    return result


def page(local, language: str | None = None) -> GapsPage:
    """Compute the gap page: every expectation item, over all answers or one language's."""
    return GapsPage(tuple(item_gaps(local, language)))
