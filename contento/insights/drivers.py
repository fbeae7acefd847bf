"""Key drivers of one survey: which items move the outcome, and where to act first.

The correlations come from `PairMoment` (pair sums kept with the answers, per month of the
response), so the importance of each item costs a read of a few thousand rows at any volume,
over all time or over whole months. A date range that cuts a month is an ad-hoc filter: the
answers of the responses started in it are read instead (one query) and the same pairwise
statistics computed from them. Bootstrap intervals need the respondents themselves: they are
computed from the answers while the responses analysed are few enough to read
(`BOOTSTRAP_MAX_RESPONSES`), and left out above that.

`page` is what the key-driver page shows: the outcomes a survey offers, the one chosen, and
its drivers (`DriverAnalysis`), or why there are none.
"""

from dataclasses import dataclass

import numpy as np
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from contento import stats
from contento.surveys.models import Answer, PairMoment
from contento.surveys.periods import ALL_TIME, Period
from contento.surveys.rollups import PAIR_SUMS

OUTCOME_KINDS = ("nps", "csat", "ces", "rating")
ITEM_KINDS = ("matrix", "rating")  # attribute ratings; NPS, CSAT and CES are outcomes
BOOTSTRAP_MAX_RESPONSES = 5000
BOOTSTRAP_RESAMPLES = 200
QUADRANT_NAMES = {
    stats.CONCENTRATE_HERE: _("Fix first: important and weak"),
    stats.KEEP_UP_THE_GOOD_WORK: _("Keep up the good work"),
    stats.LOW_PRIORITY: _("Low priority"),
    stats.POSSIBLE_OVERKILL: _("Possible overkill"),
}


@dataclass(frozen=True)
class Variable:
    """A scored variable of a survey: a question's score or one item of a matrix."""

    name: str  # "<question id>:<item key>:<part>", as in PairMoment
    label: str
    question_id: int
    item_key: str = ""


def variables(local) -> tuple[list[Variable], list[Variable]]:
    """Return the survey's possible outcomes and its rated items."""
    outcomes, items = [], []
    for lq in local.questions:
        q = lq.question
        if q.kind in OUTCOME_KINDS:
            outcomes.append(Variable(f"{q.id}::", lq.text, q.id))
        if q.kind == "matrix":
            items += [Variable(f"{q.id}:{key}:", label, q.id, key) for key, label in lq.choices]
        elif q.kind in ITEM_KINDS:
            items.append(Variable(f"{q.id}::", lq.text, q.id))
    return outcomes, items


def pair_summary(
    survey, names: list[str], language: str | None = None, period: Period = ALL_TIME
) -> stats.CovarianceSummary:
    """Return the pairwise covariance summary of these variables from the pair sums.

    The period must be whole months (`Period.whole_months`).
    """
    rows = PairMoment.objects.filter(
        survey=survey,
        var_a__in=names,
        var_b__in=names,
        dimension="language" if language else "all",
        dimension_value=language or "",
    )
    if period.since:
        rows = rows.filter(month__gte=period.since)
    if period.until:
        rows = rows.filter(month__lte=period.until)
    grouped = rows.values("var_a", "var_b").annotate(**{f: Sum(f) for f in PAIR_SUMS}).order_by()
    sums = {(row["var_a"], row["var_b"]): [row[f] for f in PAIR_SUMS] for row in grouped}
    return summary_from_pair_sums(names, sums)


def summary_from_pair_sums(names: list[str], sums: dict) -> stats.CovarianceSummary:
    """Turn raw pair sums into the pairwise covariance summary of these variables.

    `sums` maps (var_a, var_b) to (n, Σa, Σb, Σa², Σb², Σab) over the respondents who
    answered both, in either order of the pair; (v, v) holds a variable's own count and sums.
    """
    index = {name: i for i, name in enumerate(names)}
    k = len(names)
    counts, means, squares, comoments = (np.zeros((k, k)) for _ in range(4))
    for (a, b), values in sums.items():
        n, sa, sb, saa, sbb, sab = (float(v) for v in values)
        i, j = index[a], index[b]
        if n <= 0:
            continue
        for x, y, s_x, s_xx, s_y in ((i, j, sa, saa, sb), (j, i, sb, sbb, sa)):
            counts[x, y] = n
            means[x, y] = s_x / n
            squares[x, y] = max(s_xx - s_x * s_x / n, 0.0)
            comoments[x, y] = sab - s_x * s_y / n
    return stats.CovarianceSummary(
        missing="pairwise",
        pair_counts=counts.astype(np.int64),
        pair_weights=counts,
        pair_means=means,
        pair_squares=squares,
        comoments=comoments,
    )


def _table(
    survey, names: list[str], language: str | None = None, period: Period = ALL_TIME
) -> np.ndarray:
    """Return respondents × variables (NaN where unanswered), for the bootstrap.

    Like the pair sums, a response belongs to the period it was started in, and to a
    language by the language of its answers.
    """
    wanted = {name: i for i, name in enumerate(names)}
    question_ids = {int(name.split(":")[0]) for name in names}
    rows: dict[int, np.ndarray] = {}
    answers = Answer.objects.filter(survey=survey, question_id__in=question_ids, part="")
    if language:
        answers = answers.filter(language=language)
    start, end = period.bounds()
    if start:
        answers = answers.filter(response__started_at__gte=start)
    if end:
        answers = answers.filter(response__started_at__lt=end)
    for response_id, question_id, item_key, value in answers.values_list(
        "response_id", "question_id", "item__key", "value"
    ).iterator(chunk_size=5000):
        column = wanted.get(f"{question_id}:{item_key or ''}:")
        if column is not None and value is not None:
            rows.setdefault(response_id, np.full(len(names), np.nan))[column] = value
    return np.array(list(rows.values())) if rows else np.empty((0, len(names)))


@dataclass(frozen=True)
class Driver:
    """One item's part in the outcome: importance (its share of R², with the bootstrap
    interval when there is one), relative weight, performance and IPA quadrant."""

    label: str
    importance: float
    percent: float
    lower: float | None
    upper: float | None
    weight_percent: float
    performance: float
    quadrant: str

    @property
    def quadrant_name(self) -> str:
        """What the quadrant means, in words."""
        return str(QUADRANT_NAMES[self.quadrant])


@dataclass(frozen=True)
class DriverAnalysis:
    """The drivers of an outcome: Shapley R² (LMG), relative weights, IPA, one row per item.

    `intervals` are the bootstrap's (None above `BOOTSTRAP_MAX_RESPONSES`); `performance`
    each item's mean; `responses` the respondents behind the figures.
    """

    shapley: stats.DriverResult
    weights: stats.DriverResult
    intervals: stats.DriverResult | None
    performance: tuple[float, ...]
    ipa: stats.IPAResult
    responses: int
    rows: tuple[Driver, ...]


def analyse(
    survey,
    outcome: Variable,
    items: list[Variable],
    language: str | None = None,
    period: Period = ALL_TIME,
) -> DriverAnalysis:
    """Return the drivers of `outcome` with importance, relative weights and IPA quadrants.

    Over all time or whole months from the pair sums; over any other period from the
    answers of the responses started in it.
    """
    names = [v.name for v in items] + [outcome.name]
    labels = [v.label for v in items]
    table = None
    if period.whole_months:
        summary = pair_summary(survey, names, language, period)
    else:
        table = _table(survey, names, language, period)
        summary = stats.CovarianceSummary.from_data(table[:, :-1], table[:, -1], missing="pairwise")
    intervals = None
    if _respondents(summary) <= BOOTSTRAP_MAX_RESPONSES:
        if table is None:
            table = _table(survey, names, language, period)
        try:
            intervals = stats.shapley_r2(
                table[:, :-1],
                table[:, -1],
                missing="pairwise",
                item_names=labels,
                n_boot=BOOTSTRAP_RESAMPLES,
                seed=0,
            )
        except stats.NotEnoughData:
            intervals = None
    return from_summary(summary, labels, intervals=intervals)


def _respondents(summary: stats.CovarianceSummary) -> int:
    """The respondents behind the figures: those who answered the most-answered variable."""
    return int(summary.pair_counts.diagonal().max())


def from_summary(
    summary: stats.CovarianceSummary, labels: list[str], *, intervals=None
) -> DriverAnalysis:
    """Compute the drivers (Shapley R², relative weights, IPA) of a summary of [items, outcome]."""
    shapley = stats.shapley_r2(summary=summary, item_names=labels)
    weights = stats.relative_weights(summary=summary, item_names=labels)
    # A variable's own mean over everyone who answered it (the diagonal of the pairwise means).
    performance = tuple(float(summary.pair_means[i, i]) for i in range(len(labels)))
    quadrants = stats.ipa(list(shapley.importance), list(performance), labels)
    return DriverAnalysis(
        shapley=shapley,
        weights=weights,
        intervals=intervals,
        performance=performance,
        ipa=quadrants,
        responses=_respondents(summary),
        rows=tuple(
            Driver(
                label=label,
                importance=shapley.importance[i],
                percent=shapley.percent[i],
                lower=intervals.lower[i] if intervals and intervals.lower else None,
                upper=intervals.upper[i] if intervals and intervals.upper else None,
                weight_percent=weights.percent[i],
                performance=performance[i],
                quadrant=quadrants.items[i].quadrant,
            )
            for i, label in enumerate(labels)
        ),
    )


@dataclass(frozen=True)
class DriversPage:
    """What the key-driver page shows: the outcomes on offer, the one chosen, its drivers.

    `result` is None when the survey has no outcome or fewer than two rated items besides
    it, or, with `not_enough` saying why, when the answers are too few.
    """

    outcomes: tuple[Variable, ...]
    outcome: Variable | None
    result: DriverAnalysis | None = None
    not_enough: str = ""


def page(
    local, outcome_name: str | None, language: str | None = None, period: Period = ALL_TIME
) -> DriversPage:
    """Compute the drivers of the chosen outcome (`outcome_name`, else the survey's first)."""
    outcomes, items = variables(local)
    outcome = next(
        (o for o in outcomes if o.name == outcome_name), outcomes[0] if outcomes else None
    )
    chosen = [v for v in items if outcome is None or v.question_id != outcome.question_id]
    if outcome is None or len(chosen) < 2:
        return DriversPage(tuple(outcomes), outcome)
    try:
        result = analyse(local.survey, outcome, chosen, language, period)
    except stats.NotEnoughData as error:
        return DriversPage(tuple(outcomes), outcome, not_enough=str(error))
    return DriversPage(tuple(outcomes), outcome, result)
