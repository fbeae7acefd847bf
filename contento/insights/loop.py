"""Loop figures: whether unhappy customers are followed up, how fast, and whether it wins
them back.

Every follow-up case is an unhappy response (one that met a follow-up rule). The page shows

- the share of them followed up (the customer contacted) and the share that closed the loop
  (contacted and resolved), with Wilson intervals;
- the time to first contact and to close, median and 90th percentile, in hours;
- the same by team and by rule;
- recovery: the next NPS that customers gave after their case, for cases that closed the
  loop against cases whose customer was never contacted (comparable: both answered
  unhappily and met a rule), as the difference of means with Welch's interval.

The recovery is an observational comparison, not an experiment: the customers the desk
reached may differ from those it did not (easier to reach, more engaged), so the difference
is an upper bound on what following up causes more than a measure of it.

One query reads the cases with their next NPS (a correlated subquery); the rest is Python.
"""

import statistics
from dataclasses import dataclass

import numpy as np
from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext_lazy as _

from contento import stats
from contento.distribution.models import FollowUpCase
from contento.surveys.models import Answer, Response

CAVEAT = _(
    "An observational comparison, not an experiment: the customers the desk reached may differ "
    "from those it did not (easier to reach, more engaged), so read the difference as an upper "
    "bound on what following up achieves."
)


@dataclass(frozen=True)
class Timing:
    n: int
    median_hours: float
    p90_hours: float


@dataclass(frozen=True)
class Group:
    """The cases of one team or rule (or all of them)."""

    name: str
    cases: int
    followed_up: stats.ProportionResult | None
    closed: stats.ProportionResult | None
    first_contact: Timing | None
    close: Timing | None


@dataclass(frozen=True)
class Recovery:
    followed_mean: float
    followed_n: int
    ignored_mean: float
    ignored_n: int
    difference: stats.WelchResult | None


@dataclass(frozen=True)
class LoopFigures:
    total: Group
    by_team: list[Group]
    by_rule: list[Group]
    by_cause: list[Group]
    recovery: Recovery | None
    caveat: str


def _hours(pairs) -> Timing | None:
    hours = [(end - start).total_seconds() / 3600 for start, end in pairs if start and end]
    if not hours:
        return None
    return Timing(
        n=len(hours),
        median_hours=float(statistics.median(hours)),
        p90_hours=float(np.percentile(hours, 90)),
    )


def _share(successes: int, n: int) -> stats.ProportionResult | None:
    return stats.proportion(successes, n) if n else None


def _group(name: str, cases: list) -> Group:
    n = len(cases)
    return Group(
        name=name,
        cases=n,
        followed_up=_share(sum(_followed(c) for c in cases), n),
        closed=_share(sum(c.closed_the_loop for c in cases), n),
        first_contact=_hours((c.created_at, c.contacted_at) for c in cases),
        close=_hours((c.created_at, c.closed_at) for c in cases),
    )


def _followed(case) -> bool:
    return bool(case.contacted) and case.contacted != FollowUpCase.Contact.UNREACHABLE


def _groups(cases: list, key) -> list[Group]:
    named: dict[str, list] = {}
    for case in cases:
        named.setdefault(key(case), []).append(case)
    return [_group(name, rows) for name, rows in sorted(named.items())]


def figures(organization) -> LoopFigures:
    next_nps = (
        Answer.objects.filter(
            response__customer=OuterRef("customer"),
            response__status=Response.Status.COMPLETE,
            response__completed_at__gt=OuterRef("response__completed_at"),
            question__kind="nps",
            item__isnull=True,
            value__isnull=False,
        )
        .order_by("response__completed_at", "pk")
        .values("value")[:1]
    )
    cases = list(
        FollowUpCase.objects.filter(organization=organization)
        .select_related("rule__team", "root_cause")
        .annotate(next_nps=Subquery(next_nps))
    )
    no_team, no_rule = str(_("No team")), str(_("Deleted rule"))
    no_cause = str(_("No root cause given"))
    return LoopFigures(
        total=_group(str(_("All")), cases),
        by_team=_groups(cases, lambda c: c.rule.team.name if c.rule and c.rule.team else no_team),
        by_rule=_groups(cases, lambda c: c.rule.name if c.rule else no_rule),
        by_cause=_groups(cases, lambda c: c.root_cause.name if c.root_cause else no_cause),
        recovery=recovery(
            [c.next_nps for c in cases if c.closed_the_loop and c.next_nps is not None],
            [c.next_nps for c in cases if not c.contacted and c.next_nps is not None],
        ),
        caveat=str(CAVEAT),
    )


def recovery(followed: list[float], ignored: list[float]) -> Recovery | None:
    """The next NPS of customers whose case closed the loop against those never contacted."""
    if not followed or not ignored:
        return None
    try:
        difference = stats.welch_test_samples(followed, ignored)
    except stats.NotEnoughData:
        difference = None
    return Recovery(
        followed_mean=float(np.mean(followed)),
        followed_n=len(followed),
        ignored_mean=float(np.mean(ignored)),
        ignored_n=len(ignored),
        difference=difference,
    )
