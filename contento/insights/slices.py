"""The overview's slices: NPS, CSAT and CES per product, channel, language, customer and team.

Each dimension says where its counts come from, and costs one grouped query whatever the
number of answers:

- ``language`` (the language of the answer) is kept in the rollups: it reads
  `MonthlyScoreCount` (whole months) or `ScoreCount` (a day range), a few hundred rows.
- ``product``, ``service``, ``channel``, ``company``, ``customer_language`` and ``timezone``
  describe the customer behind the answer, which changes after the answer (a customer moves
  to another company, buys again), so no rollup can keep them: they are one ``GROUP BY``
  over the scored answers joined to their customer, the ad-hoc scan the rollups leave for
  such filters. ``product`` and ``channel`` are those of the customer's latest purchase at
  or before the answer; ``service`` that of the subscription running on the day of the
  answer (the latest one started). Answers without a customer, or whose customer has none
  of these, are counted under "Unknown".
- ``attribute:<name>`` is any of the business's own customer attributes (`Customer.attributes`:
  plan, region, segment…), read like the customer fields above;
  `contento.customers.attributes.attribute_keys` lists the names in use in the workspace.
- ``team`` and ``agent`` are the CSAT of support interactions: one ``GROUP BY`` over the
  answered `TicketRating` rows, by the team and agent frozen when the rating was asked for.
  Support is rated on CSAT only, so these slices exist for CSAT alone.

Every slice value gets its metric with its interval, and is compared with all the other
values together (two-proportion z or Welch test, Benjamini–Hochberg across the values) by
`contento.insights.overview.compare`.

A `Slice` is also what the overview's months are: one period or one segment, its counts per
score and the metric computed from them, with the marks the overview adds (control limits
for a month, the difference from the others for a segment).
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, OuterRef, Q, Subquery, Sum
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import TruncDate
from django.utils.translation import gettext_lazy as _

from contento.customers.models import ATTRIBUTE_KEY, Product, Purchase, Subscription
from contento.support.models import TicketRating
from contento.surveys.metrics import Figure, estimate
from contento.surveys.models import Answer, MonthlyScoreCount, ScoreCount
from contento.surveys.periods import Period

DIMENSIONS = {
    "language": _("Language of the answer"),
    "product": _("Product (latest purchase)"),
    "service": _("Service (subscription)"),
    "channel": _("Purchase channel"),
    "company": _("Company"),
    "customer_language": _("Customer's language"),
    "timezone": _("Customer's time zone"),
    "team": _("Support team"),
    "agent": _("Support agent"),
}
ATTRIBUTE = "attribute:"  # + the attribute's name: a dimension per customer attribute
ROLLUP_DIMENSIONS = ("language",)
SUPPORT_DIMENSIONS = ("team", "agent")  # rated on CSAT only
UNKNOWN = ""
LANGUAGE_NAMES = dict(settings.LANGUAGES)


@dataclass(frozen=True)
class ControlLimits:
    """A month's place on the control chart: the centre line, its limits, and a drop below.

    On the metric's display scale; `ewma` is the smoothed value an EWMA chart (NPS, CES)
    compares with the limits, None on a p-chart (CSAT).
    """

    centre: float
    lower: float
    upper: float
    drop: bool
    ewma: float | None = None


@dataclass(frozen=True)
class Difference:
    """How a segment compares with all the others together.

    `value` is the difference on the metric's display scale (NPS points, CSAT percentage
    points, CES points); `q_value` the p-value adjusted across the segments
    (Benjamini–Hochberg); `significant` whether q is below 0.05.
    """

    value: float
    q_value: float
    significant: bool

    @property
    def better(self) -> bool:
        """Whether the segment is significantly above the others."""
        return self.significant and self.value > 0

    @property
    def worse(self) -> bool:
        """Whether the segment is significantly below the others."""
        return self.significant and self.value < 0


@dataclass(frozen=True)
class Slice:
    """One period or one segment: its counts per score and the metric computed from them.

    `label` is its key (a month "2025-03", a language code, a product id; "" for unknown)
    and `name` what a page shows for it. `limits` are a month's on the control chart and
    `difference` a segment's from the others, once the overview has computed them.
    """

    label: str
    counts: Mapping[int, int]
    figure: Figure | None = None
    name: str = ""
    limits: ControlLimits | None = None
    difference: Difference | None = None

    @property
    def n(self) -> int:
        return sum(self.counts.values())


def attribute(dimension: str) -> str | None:
    """Return the customer attribute a dimension slices by, if it is one."""
    if dimension.startswith(ATTRIBUTE):
        name = dimension.removeprefix(ATTRIBUTE)
        if ATTRIBUTE_KEY.fullmatch(name):
            return name
    return None


def available(dimension: str, kind: str) -> bool:
    """Return whether a dimension can slice this metric (support is rated on CSAT only)."""
    if attribute(dimension):
        return True
    return dimension in DIMENSIONS and (dimension not in SUPPORT_DIMENSIONS or kind == "csat")


def dimension_name(dimension: str) -> str:
    """What to call a dimension on the page."""
    name = attribute(dimension)
    if name:
        return str(_("Customer attribute “%(name)s”") % {"name": name})
    return str(DIMENSIONS[dimension])


def _rollup_counts(organization, kind, dimension, since, until, survey) -> Iterable[tuple]:
    """Yield (value, score, n) from the rollups: months when the range allows, else days."""
    monthly = Period(since, until).whole_months
    model, field = (MonthlyScoreCount, "month") if monthly else (ScoreCount, "day")
    rows = model.objects.filter(
        survey__organization=organization,
        question__kind=kind,
        item_key="",
        part="",
        dimension=dimension,
        n__gt=0,
    )
    if survey is not None:
        rows = rows.filter(survey=survey)
    if since:
        rows = rows.filter(**{f"{field}__gte": since})
    if until:
        rows = rows.filter(**{f"{field}__lte": until})
    return rows.values_list("dimension_value", "value").annotate(total=Sum("n")).order_by()


def _answers(organization, kind, since, until, survey):
    answers = Answer.objects.filter(
        survey__organization=organization,
        question__kind=kind,
        item__isnull=True,
        part="",
        value__isnull=False,
    )
    if survey is not None:
        answers = answers.filter(survey=survey)
    start, end = Period(since, until).bounds()
    if start:
        answers = answers.filter(answered_at__gte=start)
    if end:
        answers = answers.filter(answered_at__lt=end)
    return answers


def _latest_purchase(field: str) -> Subquery:
    """The `field` of the customer's latest purchase at or before the answer."""
    return Subquery(
        Purchase.objects.filter(
            customer=OuterRef("response__customer"), purchased_at__lte=OuterRef("answered_at")
        )
        .order_by("-purchased_at", "-pk")
        .values(field)[:1]
    )


def _running_service() -> Subquery:
    """The product of the customer's subscription running on the day of the answer.

    The answers must be annotated with `answered_day` (a function of an outer reference
    cannot be resolved inside the subquery).
    """
    day = OuterRef("answered_day")
    return Subquery(
        Subscription.objects.filter(customer=OuterRef("response__customer"), started_on__lte=day)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))
        .order_by("-started_on", "-pk")
        .values("product_id")[:1]
    )


CUSTOMER_FIELDS = {
    "company": ("response__customer__company_id", "response__customer__company__name"),
    "customer_language": ("response__customer__language",),
    "timezone": ("response__customer__timezone",),
}


def _scan_counts(organization, kind, dimension, since, until, survey) -> tuple[list, dict]:
    """Return [(value, score, n)] from one GROUP BY over the answers, and names of values."""
    answers = _answers(organization, kind, since, until, survey)
    names: dict[str, str] = {}
    if dimension in ("product", "service", "channel"):
        slice_value = {
            "product": _latest_purchase("product_id"),
            "channel": _latest_purchase("channel"),
            "service": _running_service(),
        }[dimension]
        rows = list(
            answers.annotate(answered_day=TruncDate("answered_at"), slice_value=slice_value)
            .values_list("slice_value", "value")
            .annotate(n=Count("pk"))
            .order_by()
        )
        if dimension == "channel":
            names = {value: str(label) for value, label in Purchase.Channel.choices}
        else:
            ids = {value for value, _score, _n in rows if value is not None}
            products = Product.objects.filter(pk__in=ids).values_list("pk", "name").order_by()
            names = {str(pk): name for pk, name in products}
        return [(value, score, n) for value, score, n in rows], names
    name = attribute(dimension)
    if name:
        value = KeyTextTransform(name, "response__customer__attributes")
        rows = answers.annotate(slice_value=value).values_list("slice_value", "value")
        return list(rows.annotate(n=Count("pk")).order_by()), names
    fields = CUSTOMER_FIELDS[dimension]
    rows = []
    for *values, score, n in (
        answers.values_list(*fields, "value").annotate(n=Count("pk")).order_by()
    ):
        if len(values) == 2 and values[0] is not None:
            names[str(values[0])] = values[1]
        elif dimension == "customer_language" and values[0]:
            names[values[0]] = str(LANGUAGE_NAMES.get(values[0], values[0]))
        rows.append((values[0], score, n))
    return rows, names


def _support_counts(organization, dimension, since, until, survey) -> tuple[list, dict]:
    """Return [(value, score, n)] of the answered ticket ratings by team or agent."""
    ratings = TicketRating.objects.filter(organization=organization, score__isnull=False)
    if survey is not None:
        ratings = ratings.filter(response__survey=survey)
    start, end = Period(since, until).bounds()
    if start:
        ratings = ratings.filter(answered_at__gte=start)
    if end:
        ratings = ratings.filter(answered_at__lt=end)
    fields = (
        ("team_id", "team__name")
        if dimension == "team"
        else ("agent_id", "agent__user__name", "agent__user__email")
    )
    names: dict[str, str] = {}
    rows = []
    for key, *labels, score, n in (
        ratings.values_list(*fields, "score").annotate(n=Count("pk")).order_by()
    ):
        if key is not None:
            names[str(key)] = next((label for label in labels if label), str(key))
        rows.append((key, score, n))
    return rows, names


def by_slice(
    organization,
    kind: str,
    dimension: str,
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
    survey=None,
) -> list[Slice]:
    """Return the metric for each value of the dimension, largest first.

    Each slice's `label` is the value's key (a language code, a product id; "" for
    unknown) and `name` what to show. Raise ValueError for a dimension that cannot slice
    this metric (see `available`).
    """
    if not available(dimension, kind):
        raise ValueError(f"{dimension!r} cannot slice {kind!r}")
    names: dict[str, str] = {}
    if dimension in ROLLUP_DIMENSIONS:
        rows: Iterable[tuple] = _rollup_counts(organization, kind, dimension, since, until, survey)
        names = {code: str(name) for code, name in LANGUAGE_NAMES.items()}
    elif dimension in SUPPORT_DIMENSIONS:
        rows, names = _support_counts(organization, dimension, since, until, survey)
    else:
        rows, names = _scan_counts(organization, kind, dimension, since, until, survey)
    counts: dict[str, dict[int, int]] = defaultdict(dict)
    for value, score, n in rows:
        key = UNKNOWN if value in (None, "") else str(value)
        counts[key][score] = counts[key].get(score, 0) + n
    slices = [
        Slice(
            key,
            c,
            estimate(kind, c),
            name=names.get(key, key) if key != UNKNOWN else str(_("Unknown")),
        )
        for key, c in counts.items()
    ]
    return sorted(slices, key=lambda s: (-s.n, s.name))
