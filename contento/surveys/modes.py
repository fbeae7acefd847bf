"""How the answers were given: alone, or to an interviewer (on the phone, in person).

People answer an interviewer more kindly than a form (the social desirability of the answer),
so a survey that mixes both shows its NPS for each and the difference, interviewer minus
self-completed, with its interval (`contento.stats.nps_difference`); a difference whose
interval leaves out 0 says the two should not be pooled without thought.
"""

from dataclasses import dataclass

from django.db.models import Count

from contento import stats
from contento.surveys.metrics import Filters
from contento.surveys.models import Response

INTERVIEWED = (Response.Mode.PHONE, Response.Mode.IN_PERSON)


@dataclass(frozen=True)
class ModeSplit:
    question: str  # the key of the NPS question
    self_completed: stats.NPSResult | None
    interviewed: stats.NPSResult | None
    difference: stats.DifferenceResult | None  # interviewed − self-completed


def _nps(counts: dict[int, int]) -> stats.NPSResult | None:
    return stats.nps(counts=counts) if sum(counts.values()) else None


def split_by_mode(local, filters: Filters) -> ModeSplit | None:
    """The first NPS question's score per mode, or None when no response was an interview."""
    nps = next((lq for lq in local.questions if lq.question.kind == "nps"), None)
    if nps is None:
        return None
    rows = (
        filters.answers(local.survey)
        .filter(question=nps.question, item__isnull=True, value__isnull=False)
        .values("response__mode", "value")
        .annotate(n=Count("pk"))
        .order_by()
    )
    alone: dict[int, int] = {}
    asked: dict[int, int] = {}
    for row in rows:
        target = asked if row["response__mode"] in INTERVIEWED else alone
        target[row["value"]] = target.get(row["value"], 0) + row["n"]
    if not asked:
        return None
    self_completed, interviewed = _nps(alone), _nps(asked)
    difference = (
        stats.nps_difference(interviewed, self_completed)
        if interviewed and self_completed
        else None
    )
    return ModeSplit(nps.key, self_completed, interviewed, difference)
