"""Satisfaction → loyalty: what customers did after they told us how satisfied they were.

Each customer counts once, with the latest answer they gave to one NPS, CSAT or CES question
among those old enough for the window after it to be over (`window` days), and then:

- renewal: they *renewed* when one of their subscriptions is still running (active or
  paused) after at least one renewal; they *lapsed* when, otherwise, a subscription of
  theirs ended (cancelled or expired) on or after the day of the answer. Customers with
  neither (no subscription, none up for renewal yet) are left out;
- repurchase: whether they bought anything in the window after the answer;
- revenue: the amount of their purchases in the window after the answer (in the
  workspace's currencies as recorded, not converted).

One query reads every customer's level and outcomes (the latest answer and the outcomes
are correlated subqueries); `contento.stats` then tabulates them per level with Wilson and
t intervals (revenue's clipped at 0) and fits the logistic model of the outcome on the
level. This is an association, not an experiment: customers who are more satisfied may
also differ otherwise. `page` is what the loyalty page shows of one question and outcome:
a row per level, rates in percent, with the logistic fit beside them.
"""

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from django.db.models import (
    DateTimeField,
    DecimalField,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contento import stats
from contento.customers.models import Purchase, Subscription
from contento.surveys.models import Answer, Question

SOURCE_KINDS = ("nps", "csat", "ces")
OUTCOMES = ("renewal", "repurchase")
OUTCOME_NAMES = {
    "renewal": _("Renewal rate"),
    "repurchase": _("Repurchase rate"),
}


def sources(organization) -> list[Question]:
    """Return the workspace's NPS, CSAT and CES questions, NPS first, with their surveys."""
    questions = Question.objects.filter(
        survey__organization=organization, kind__in=SOURCE_KINDS
    ).select_related("survey")
    order = {kind: i for i, kind in enumerate(SOURCE_KINDS)}
    return sorted(questions, key=lambda q: (order[q.kind], q.survey.created_at, q.position, q.pk))


def source_value(question: Question) -> str:
    """Name a question in a form: its survey's code and its key."""
    return f"{question.survey.code}:{question.key}"


@dataclass(frozen=True)
class CustomerRows:
    """One entry per customer: level, renewed (or None), repurchased and revenue."""

    levels: np.ndarray
    renewed: np.ndarray  # 1 renewed, 0 lapsed, NaN no renewal decision
    repurchased: np.ndarray
    revenue: np.ndarray


def customer_rows(question: Question, window_days: int, now=None) -> CustomerRows:
    """Read each customer's latest answer old enough for the window, and their outcomes."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=window_days)
    scored = Answer.objects.filter(
        question=question, item__isnull=True, part="", value__isnull=False, answered_at__lte=cutoff
    )
    latest = (
        scored.filter(response__customer=OuterRef("response__customer"))
        .order_by("-answered_at", "-pk")
        .values("pk")[:1]
    )
    window_end = ExpressionWrapper(
        OuterRef("answered_at") + Value(dt.timedelta(days=window_days)),
        output_field=DateTimeField(),
    )
    in_window = Purchase.objects.filter(
        customer=OuterRef("response__customer"),
        purchased_at__gt=OuterRef("answered_at"),
        purchased_at__lte=window_end,
    )
    revenue = (
        in_window.order_by().values("customer").annotate(total=Sum("amount")).values("total")[:1]
    )
    subscriptions = Subscription.objects.filter(customer=OuterRef("response__customer"))
    running = Subscription.Status.ACTIVE, Subscription.Status.PAUSED
    ended = Subscription.Status.CANCELLED, Subscription.Status.EXPIRED
    rows = (
        scored.filter(response__customer__isnull=False, pk=Subquery(latest))
        .annotate(answered_day=TruncDate("answered_at"))
        .annotate(
            repurchased=Exists(in_window),
            revenue=Coalesce(
                Subquery(revenue, output_field=DecimalField(max_digits=14, decimal_places=2)),
                Value(0, output_field=DecimalField(max_digits=14, decimal_places=2)),
            ),
            stayed=Exists(subscriptions.filter(status__in=running, renewals__gte=1)),
            lapsed=Exists(
                subscriptions.filter(status__in=ended).filter(
                    Q(ends_on__isnull=True) | Q(ends_on__gte=OuterRef("answered_day"))
                )
            ),
        )
        .values_list("value", "repurchased", "revenue", "stayed", "lapsed")
        .order_by()
    )
    levels, renewed, repurchased, money = [], [], [], []
    for value, bought, amount, stayed, lapsed in rows:
        levels.append(value)
        renewed.append(1.0 if stayed else 0.0 if lapsed else np.nan)
        repurchased.append(1.0 if bought else 0.0)
        money.append(float(amount or 0))
    return CustomerRows(
        np.array(levels, dtype=float),
        np.array(renewed, dtype=float),
        np.array(repurchased, dtype=float),
        np.array(money, dtype=float),
    )


@dataclass(frozen=True)
class LoyaltyAnalysis:
    """The outcome per satisfaction level, revenue per customer and the logistic fit.

    `customers` counts those with a qualifying answer, `n` those with the outcome known.
    `table` is None when no customer qualifies; `fit` is None with `fit_error` the reason
    when the logistic model cannot be fitted (one outcome only, separation, one level).
    `revenue_by_level` leaves out levels with fewer than two customers.
    """

    customers: int
    n: int
    table: stats.LoyaltyTable | None = None
    revenue: stats.MeanResult | None = None
    revenue_by_level: Mapping[float, stats.MeanResult] = field(default_factory=dict)
    fit: stats.LogisticResult | None = None
    fit_error: str | None = None


def analyse(question: Question, outcome: str, window_days: int, now=None) -> LoyaltyAnalysis:
    """Return the loyalty table per level, the logistic fit and the reasons for any gap."""
    if outcome not in OUTCOMES:
        raise ValueError(outcome)
    data = customer_rows(question, window_days, now)
    y = data.renewed if outcome == "renewal" else data.repurchased
    keep = ~np.isnan(y)
    levels, y, revenue = data.levels[keep], y[keep], data.revenue[keep]
    customers, n = int(len(data.levels)), int(keep.sum())
    try:
        table = stats.loyalty_by_level(levels, y)
    except stats.NotEnoughData as error:
        return LoyaltyAnalysis(customers, n, fit_error=str(error))
    # Revenue per customer with its t interval, clipped at 0 when no amount is negative (no
    # refunds): a mean of amounts that cannot be negative cannot be either.
    floor = 0.0 if (revenue >= 0).all() else None
    by_level = {}
    for level in table.levels:
        spend = revenue[levels == level.level]
        if len(spend) >= 2:
            by_level[level.level] = stats.mean_score(spend, scale_min=floor)
    overall = stats.mean_score(revenue, scale_min=floor) if len(revenue) >= 2 else None
    fit, fit_error = None, None
    try:
        fit = stats.logistic_renewal(levels, y)
    except stats.NotEnoughData as error:
        fit_error = str(error)
    return LoyaltyAnalysis(customers, n, table, overall, by_level, fit, fit_error)


@dataclass(frozen=True)
class Rate:
    """A rate in percent with its 95% interval."""

    value: float
    lower: float
    upper: float


@dataclass(frozen=True)
class Level:
    """One satisfaction level as the page shows it: rates in percent, revenue per customer
    (None with fewer than two customers) and the logistic fit's rate (None without a fit)."""

    level: float
    n: int
    successes: int
    rate: Rate
    revenue: stats.MeanResult | None
    fitted: float | None


@dataclass(frozen=True)
class LoyaltyPage:
    """What the loyalty page shows of one question and outcome (`result` None: no question)."""

    outcome: str
    window: int
    result: LoyaltyAnalysis | None = None
    rows: tuple[Level, ...] = ()
    overall: Rate | None = None

    @property
    def outcome_name(self) -> str:
        """The outcome's rate, in words."""
        return str(OUTCOME_NAMES[self.outcome])

    @property
    def p_value(self) -> str:
        """The fit's slope p-value as the page writes it ("= 0.0123", "< 0.0001"), or ""."""
        fit = self.result.fit if self.result else None
        if fit is None:
            return ""
        p = fit.slope_p_value
        return "< 0.0001" if p < 0.0001 else f"= {p:.4f}"


def _percent(rate: stats.ProportionResult) -> Rate:
    return Rate(100 * rate.value, 100 * rate.lower, 100 * rate.upper)


def page(question: Question | None, outcome: str, window_days: int) -> LoyaltyPage:
    """Compute the loyalty page for a question (None: the workspace has none to offer)."""
    if question is None:
        return LoyaltyPage(outcome, window_days)
    result = analyse(question, outcome, window_days)
    table, fit = result.table, result.fit
    if table is None:
        return LoyaltyPage(outcome, window_days, result)
    rows = tuple(
        Level(
            level=level.level,
            n=level.n,
            successes=level.renewed,
            rate=_percent(level.rate),
            revenue=result.revenue_by_level.get(level.level),
            fitted=100 * fit.predict(level.level) if fit else None,
        )
        for level in table.levels
    )
    return LoyaltyPage(outcome, window_days, result, rows, _percent(table.overall))
