"""Figures of one survey: NPS, CSAT and CES with intervals, completion, volume, comments.

Scores are discrete, so every figure is computed from counts per score (one GROUP BY over the
answers), never from the rows themselves; `contento.stats` turns counts into estimates.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, Sum, TextField
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, TruncMonth, TruncWeek

from contento import stats
from contento.customers.models import Purchase, Subscription
from contento.surveys.localize import LocalSurvey
from contento.surveys.models import Answer, Response, ScoreCount
from contento.surveys.periods import Period

METRIC_KINDS = ("nps", "csat", "ces")
# Below this many answers a figure is shown with a warning: one answer more or less moves it
# by several points, as the width of its interval says.
SMALL_SAMPLE = 30


@dataclass(frozen=True)
class AnswerFilter:
    """Responses whose answer to one question meets a condition: a score compared with a
    number ("NPS at most 6") or an option chosen ("chose Price")."""

    question: str  # the question's key
    op: str  # one of ANSWER_OPS
    value: str

    def matches(self, survey):
        """The answers that meet the condition."""
        answers = Answer.objects.filter(survey=survey, question__key=self.question)
        if self.op == "chose":
            return answers.filter(choice__key=self.value)
        try:
            number = int(self.value)
        except ValueError:
            return answers.none()
        return answers.filter(**{ANSWER_OPS[self.op]: number})


ANSWER_OPS = {"le": "value__lte", "ge": "value__gte", "eq": "value", "chose": "choice__key"}


@dataclass(frozen=True)
class Filters(Period):
    """What a dashboard or the metrics endpoint restricts answers to (all optional): a period
    of days and the language of the answers, which the score counts keep; and the response's
    answer to a question, its customer's attribute or product, its channel and whether it is
    complete, which need a scan of the answers of the responses that pass."""

    language: str | None = None
    answer: AnswerFilter | None = None
    attribute: tuple[str, str] | None = None  # (name, value) of a customer attribute
    product: str | None = None  # the code of a product the customer bought or subscribes to
    channel: str | None = None  # Response.Source
    completion: str | None = None  # Response.Status
    mode: str | None = None  # Response.Mode

    @property
    def by_response(self) -> bool:
        """Whether a filter of the response itself is set (the counts cannot serve it)."""
        return any(
            (self.answer, self.attribute, self.product, self.channel, self.completion, self.mode)
        )

    def answers(self, survey):
        """Return the survey's answers given in the period, in the language, of the responses
        that pass the other filters."""
        qs = Answer.objects.filter(survey=survey)
        start, end = self.bounds()
        if start:
            qs = qs.filter(answered_at__gte=start)
        if end:
            qs = qs.filter(answered_at__lt=end)
        if self.language:
            qs = qs.filter(language=self.language)
        if self.by_response:
            qs = qs.filter(
                response__in=self._narrow(survey, Response.objects.filter(survey=survey))
            )
        return qs

    def responses(self, survey):
        """Return the survey's responses started in the period, in the language, that pass
        the other filters."""
        qs = Response.objects.filter(survey=survey)
        start, end = self.bounds()
        if start:
            qs = qs.filter(started_at__gte=start)
        if end:
            qs = qs.filter(started_at__lt=end)
        if self.language:
            qs = qs.filter(language=self.language)
        return self._narrow(survey, qs)

    def _narrow(self, survey, qs):
        if self.completion:
            qs = qs.filter(status=self.completion)
        if self.channel:
            qs = qs.filter(source=self.channel)
        if self.mode:
            qs = qs.filter(mode=self.mode)
        if self.attribute:
            name, value = self.attribute
            # As text (a key transform would compare JSON on SQLite).
            text = Cast(KeyTextTransform(name, "customer__attributes"), TextField())
            qs = qs.annotate(_attribute=text).filter(_attribute=value)
        if self.product:
            bought = Purchase.objects.filter(
                customer=OuterRef("customer"), product__code=self.product
            )
            held = Subscription.objects.filter(
                customer=OuterRef("customer"), product__code=self.product
            )
            qs = qs.filter(Exists(bought) | Exists(held))
        if self.answer:
            qs = qs.filter(pk__in=self.answer.matches(survey).values("response_id"))
        return qs


def score_counts(survey, filters: Filters, kinds=METRIC_KINDS) -> dict[int, dict[int, int]]:
    """Return {question id: {score: count}} for the survey's questions of these kinds.

    Read from the per-day score counts (`ScoreCount`), not from the answers: the work grows
    with days and scores, not with the number of answers.
    """
    rows = ScoreCount.objects.filter(
        survey=survey, question__kind__in=kinds, item_key="", part="", n__gt=0
    )
    if filters.language:
        rows = rows.filter(dimension="language", dimension_value=filters.language)
    else:
        rows = rows.filter(dimension="all")
    if filters.since:
        rows = rows.filter(day__gte=filters.since)
    if filters.until:
        rows = rows.filter(day__lte=filters.until)
    counts: dict[int, dict[int, int]] = defaultdict(dict)
    for question_id, value, n in (
        rows.values_list("question_id", "value").annotate(total=Sum("n")).order_by()
    ):
        counts[question_id][value] = n
    return counts


def score_counts_scan(survey, filters: Filters, kinds=METRIC_KINDS) -> dict[int, dict[int, int]]:
    """Return the same counts by scanning the answers (for ad-hoc filters, and as a check)."""
    rows = (
        filters.answers(survey)
        .filter(question__kind__in=kinds, value__isnull=False, item__isnull=True)
        .values_list("question_id", "value")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts: dict[int, dict[int, int]] = defaultdict(dict)
    for question_id, value, n in rows:
        counts[question_id][value] = n
    return counts


@dataclass(frozen=True)
class Figure:
    """A metric on its display scale: NPS −100..100, CSAT in percent, CES a mean of 1..7.

    `lower` and `upper` are None when there are too few answers for an interval.
    """

    value: float
    lower: float | None
    upper: float | None
    n: int
    confidence: float
    method: str


def estimate(kind: str, counts: dict[int, int]) -> Figure | None:
    """Return the metric computed from counts per score, or None without answers."""
    n = sum(counts.values())
    if not n:
        return None
    try:
        if kind == "nps":
            r = stats.nps(counts=counts)
            return Figure(r.value, r.lower, r.upper, n, r.confidence, r.method)
        if kind == "csat":
            r = stats.csat(counts=counts)
            return Figure(r.percent, r.lower_percent, r.upper_percent, n, r.confidence, r.method)
        if kind == "ces":
            r = stats.ces(counts=counts)
            return Figure(r.value, r.lower, r.upper, n, r.confidence, r.method)
    except stats.NotEnoughData:
        # One answer: its value is known, an interval is not.
        mean = sum(score * c for score, c in counts.items()) / n
        return Figure(mean, None, None, n, 0.95, "t")
    raise ValueError(kind)


def question_metrics(local: LocalSurvey, filters: Filters) -> list[dict]:
    """Return, for each NPS, CSAT and CES question, its estimate, counts and distribution."""
    scan = filters.by_response
    counts = (score_counts_scan if scan else score_counts)(local.survey, filters)
    result = []
    for lq in local.questions:
        if lq.question.kind not in METRIC_KINDS:
            continue
        q_counts = counts.get(lq.question.id, {})
        points = lq.kind.points(lq.question)
        result.append(
            {
                "lq": lq,
                "key": lq.key,
                "kind": lq.question.kind,
                "estimate": estimate(lq.question.kind, q_counts),
                "counts": {p: q_counts.get(p, 0) for p in points},
                "n": sum(q_counts.values()),
            }
        )
    return result


def completion(survey, filters: Filters) -> dict:
    """Return how many responses were started and completed, and the completion rate."""
    agg = filters.responses(survey).aggregate(
        started=Count("id"), complete=Count("id", filter=Q(status=Response.Status.COMPLETE))
    )
    started, complete = agg["started"], agg["complete"]
    return {
        "started": started,
        "complete": complete,
        "partial": started - complete,
        "rate": (complete / started) if started else None,
    }


def over_time(survey, filters: Filters) -> list[tuple[dt.date, int]]:
    """Return completed responses per week (per month beyond half a year of data)."""
    qs = filters.responses(survey).filter(status=Response.Status.COMPLETE)
    bounds = qs.aggregate(first=Count("id"))
    if not bounds["first"]:
        return []
    first = qs.order_by("completed_at").values_list("completed_at", flat=True).first()
    last = qs.order_by("-completed_at").values_list("completed_at", flat=True).first()
    trunc = TruncMonth if (last - first).days > 183 else TruncWeek
    rows = (
        qs.annotate(period=trunc("completed_at"))
        .values("period")
        .annotate(n=Count("id"))
        .order_by("period")
    )
    return [
        (row["period"].date() if hasattr(row["period"], "date") else row["period"], row["n"])
        for row in rows
    ]
