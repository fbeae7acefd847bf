"""Support reports: how fast, how reliably and how well customers were served.

Times are wall-clock hours from the customer's request; SLA attainment is the share of tickets
with a policy that never breached it; satisfaction is CSAT (share of 4 and 5 on the 1–5 "How
were you treated?" question) with Wilson intervals from `contento.stats`, by the agent and team
who handled the ticket when the question was sent, by channel and by product.
"""

from dataclasses import dataclass, field
from datetime import timedelta

import numpy as np
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contento.stats import proportion
from contento.support.models import Ticket, TicketRating

OPEN = ["new", "open", "pending_customer", "on_hold"]


@dataclass(frozen=True)
class Duration:
    """Median and 90th percentile of a set of durations, in hours."""

    n: int
    median: float | None
    p90: float | None


@dataclass(frozen=True)
class Share:
    label: str
    n: int
    successes: int
    value: float | None
    lower: float | None
    upper: float | None
    mean: float | None = None


@dataclass
class Report:
    since: object
    until: object
    tickets: int = 0
    first_response: Duration | None = None
    resolution: Duration | None = None
    sla: Share | None = None
    backlog: dict = field(default_factory=dict)  # open tickets by status value
    backlog_by_age: list = field(default_factory=list)
    satisfaction: dict = field(default_factory=dict)

    @property
    def backlog_by_status(self) -> list[tuple[Ticket.Status, int]]:
        """The open tickets by status, in the statuses' order, each with its label."""
        return [(s, self.backlog[s.value]) for s in Ticket.Status if s.value in self.backlog]


def _duration(hours: list[float]) -> Duration:
    if not hours:
        return Duration(0, None, None)
    values = np.asarray(hours)
    return Duration(len(hours), float(np.median(values)), float(np.percentile(values, 90)))


def _share(label: str, successes: int, n: int, mean: float | None = None) -> Share:
    if n == 0:
        return Share(label, 0, 0, None, None, None, mean)
    result = proportion(successes, n)
    return Share(label, n, successes, result.value, result.lower, result.upper, mean)


def build(organization, since=None, until=None) -> Report:
    """Return the support report of tickets created (ratings answered) in [since, until)."""
    until = until or timezone.now()
    since = since or until - timedelta(days=90)
    tickets = Ticket.objects.filter(
        organization=organization, created_at__gte=since, created_at__lt=until
    ).exclude(channel=Ticket.Channel.FOLLOW_UP)
    report = Report(since=since, until=until, tickets=tickets.count())
    rows = tickets.values_list("created_at", "first_response_at", "solved_at")
    first, solved = [], []
    for created, responded, done in rows:
        if responded:
            first.append((responded - created).total_seconds() / 3600)
        if done:
            solved.append((done - created).total_seconds() / 3600)
    report.first_response = _duration(first)
    report.resolution = _duration(solved)
    with_policy = tickets.exclude(sla_policy=None)
    settled = with_policy.filter(
        Q(status__in=["solved", "closed"]) | Q(sla_breached_at__isnull=False)
    )
    met = settled.filter(sla_breached_at__isnull=True).count()
    report.sla = _share("SLA", met, settled.count())
    now = timezone.now()
    backlog = Ticket.objects.filter(organization=organization, status__in=OPEN)
    report.backlog = dict(
        backlog.values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    ages = [(0, 1), (1, 3), (3, 7), (7, 30), (30, None)]
    for low, high in ages:
        bucket = backlog.filter(created_at__lte=now - timedelta(days=low))
        if high is not None:
            bucket = bucket.filter(created_at__gt=now - timedelta(days=high))
        report.backlog_by_age.append((low, high, bucket.count()))
    ratings = TicketRating.objects.filter(
        organization=organization,
        score__isnull=False,
        answered_at__gte=since,
        answered_at__lt=until,
    )
    groups = {
        "agent": ("agent__user__email", "agent__user__name"),
        "team": ("team__name",),
        "channel": ("ticket__channel",),
        "product": ("ticket__product__name",),
    }
    overall = ratings.aggregate(n=Count("pk"), good=Count("pk", filter=Q(score__gte=4)))
    report.satisfaction["all"] = [_share(_("All rated tickets"), overall["good"], overall["n"])]
    for name, fields in groups.items():
        counted = (
            ratings.values(*fields)
            .annotate(n=Count("pk"), good=Count("pk", filter=Q(score__gte=4)))
            .order_by(fields[0])
        )
        shares = []
        for row in counted:
            label = row.get(fields[-1]) or row.get(fields[0]) or "—"
            if name == "channel":
                label = Ticket.Channel(label).label if label in Ticket.Channel.values else label
            shares.append(_share(str(label), row["good"], row["n"]))
        report.satisfaction[name] = shares
    return report
