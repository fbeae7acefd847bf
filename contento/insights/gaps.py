"""Expectation–perception gaps of a survey's expectation items, from the pair sums."""

from django.db.models import Sum

from contento import stats
from contento.surveys.models import PairMoment

FIELDS = ("n", "sum_a", "sum_b", "sum_aa", "sum_bb", "sum_ab")


def item_gaps(local, language: str | None = None) -> list[dict]:
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
        row = {"label": lq.text, "key": lq.key, "gap": None, "reason": ""}
        try:
            # var_a sorts first: "expected" < "perceived", so a is the expectation.
            row["gap"] = stats.gap_from_moments(
                lq.key,
                sums["n"] or 0,
                sums["sum_a"] or 0,
                sums["sum_b"] or 0,
                sums["sum_aa"] or 0,
                sums["sum_bb"] or 0,
                sums["sum_ab"] or 0,
            )
        except stats.NotEnoughData as error:
            row["reason"] = str(error)
        result.append(row)
    return result
