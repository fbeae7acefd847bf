"""Key drivers of one survey: which items move the outcome, and where to act first.

The correlations come from `PairMoment` (pair sums kept with the answers), so the importance
of each item costs a read of a few thousand rows at any volume. Bootstrap intervals need
the respondents themselves: they are computed from the answers while a survey is small
enough to read (`BOOTSTRAP_MAX_RESPONSES`), and left out above that.
"""

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from django.db.models import Sum

from contento import stats
from contento.insights.models import PairMoment
from contento.surveys.models import Answer

OUTCOME_KINDS = ("nps", "csat", "ces", "rating")
ITEM_KINDS = ("matrix", "rating")  # attribute ratings; NPS, CSAT and CES are outcomes
BOOTSTRAP_MAX_RESPONSES = 5000
BOOTSTRAP_RESAMPLES = 200


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


def pair_summary(survey, names: list[str], language: str | None = None) -> stats.CovarianceSummary:
    """Return the pairwise covariance summary of these variables from the pair sums."""
    index = {name: i for i, name in enumerate(names)}
    k = len(names)
    sums = defaultdict(lambda: np.zeros(6))
    rows = PairMoment.objects.filter(
        survey=survey,
        var_a__in=names,
        var_b__in=names,
        dimension="language" if language else "all",
        dimension_value=language or "",
    )
    fields = ("n", "sum_a", "sum_b", "sum_aa", "sum_bb", "sum_ab")
    for row in rows.values("var_a", "var_b").annotate(**{f: Sum(f) for f in fields}).order_by():
        sums[(row["var_a"], row["var_b"])] += np.array([row[f] for f in fields], dtype=float)
    counts, means, squares, comoments = (np.zeros((k, k)) for _ in range(4))
    for (a, b), (n, sa, sb, saa, sbb, sab) in sums.items():
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


def _table(survey, names: list[str]) -> np.ndarray:
    """Return respondents × variables (NaN where unanswered), for the bootstrap."""
    wanted = {name: i for i, name in enumerate(names)}
    question_ids = {int(name.split(":")[0]) for name in names}
    rows: dict[int, np.ndarray] = {}
    answers = Answer.objects.filter(survey=survey, question_id__in=question_ids, part="")
    for response_id, question_id, item_key, value in answers.values_list(
        "response_id", "question_id", "item__key", "value"
    ).iterator(chunk_size=5000):
        column = wanted.get(f"{question_id}:{item_key or ''}:")
        if column is not None and value is not None:
            rows.setdefault(response_id, np.full(len(names), np.nan))[column] = value
    return np.array(list(rows.values())) if rows else np.empty((0, len(names)))


def analyse(survey, outcome: Variable, items: list[Variable], language: str | None = None):
    """Return the drivers of `outcome` with importance, relative weights and IPA quadrants."""
    names = [v.name for v in items] + [outcome.name]
    labels = [v.label for v in items]
    summary = pair_summary(survey, names, language)
    shapley = stats.shapley_r2(summary=summary, item_names=labels)
    weights = stats.relative_weights(summary=summary, item_names=labels)
    intervals = None
    responses = survey.responses.count()
    if not language and responses <= BOOTSTRAP_MAX_RESPONSES:
        table = _table(survey, names)
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
    performance = [float(summary.pair_means[i, i]) for i in range(len(items))]
    quadrants = stats.ipa(list(shapley.importance), performance, labels)
    return {
        "shapley": shapley,
        "weights": weights,
        "intervals": intervals,
        "performance": performance,
        "ipa": quadrants,
        "responses": responses,
        "rows": [
            {
                "label": label,
                "importance": shapley.importance[i],
                "percent": shapley.percent[i],
                "lower": intervals.lower[i] if intervals and intervals.lower else None,
                "upper": intervals.upper[i] if intervals and intervals.upper else None,
                "weight_percent": weights.percent[i],
                "performance": performance[i],
                "quadrant": quadrants.items[i].quadrant,
            }
            for i, label in enumerate(labels)
        ],
    }
