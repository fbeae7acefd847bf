"""Kano classification of a survey's Kano pairs (Berger et al. 1993).

The pairs are read from the answers (one row per part) and counted per cell of the 5 × 5
evaluation table, so the classification costs one pass over the Kano answers. `page` is
what the Kano page shows: each feature's counts, category and better/worse coefficients.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from contento import stats
from contento.surveys.models import Answer

CATEGORY_NAMES = {
    "A": _("Attractive"),
    "O": _("One-dimensional"),
    "M": _("Must-be"),
    "I": _("Indifferent"),
    "R": _("Reverse"),
    "Q": _("Questionable"),
}


@dataclass(frozen=True)
class KanoRow:
    """A Kano question (its text and key) with its classification, None without answers."""

    label: str
    key: str
    feature: stats.KanoFeature | None = None

    @property
    def category_name(self) -> str:
        """The feature's category, in words."""
        if self.feature is None:
            return ""
        return str(CATEGORY_NAMES.get(self.feature.category, ""))


@dataclass(frozen=True)
class KanoPage:
    """The survey's Kano questions, in the survey's order, with their classification."""

    rows: tuple[KanoRow, ...]

    @property
    def measured(self) -> tuple[KanoRow, ...]:
        """The features with better/worse coefficients (not all Reverse or Questionable)."""
        return tuple(r for r in self.rows if r.feature and r.feature.better is not None)


def features(local, language: str | None = None) -> list[KanoRow]:
    """Return, for each Kano question, the category counts, its category and better/worse."""
    questions = [lq for lq in local.questions if lq.question.kind == "kano"]
    if not questions:
        return []
    answers = Answer.objects.filter(
        survey=local.survey, question_id__in=[lq.question.id for lq in questions]
    )
    if language:
        answers = answers.filter(language=language)
    pairs: dict[tuple[int, int], dict[str, int]] = defaultdict(dict)
    for response_id, question_id, part, value in answers.values_list(
        "response_id", "question_id", "part", "value"
    ).iterator(chunk_size=5000):
        pairs[(response_id, question_id)][part] = value
    cells: dict[int, Counter] = defaultdict(Counter)
    for (_response, question_id), pair in pairs.items():
        if len(pair) == 2:
            cells[question_id][(pair["functional"], pair["dysfunctional"])] += 1
    result = []
    for lq in questions:
        categories: Counter = Counter()
        for (functional, dysfunctional), n in cells[lq.question.id].items():
            categories[stats.kano_category(functional, dysfunctional)] += n
        feature = stats.kano_from_counts(dict(categories), name=lq.key) if categories else None
        result.append(KanoRow(lq.text, lq.key, feature))
    return result


def page(local, language: str | None = None) -> KanoPage:
    """Compute the Kano page: every Kano question, over all answers or one language's."""
    return KanoPage(tuple(features(local, language)))
