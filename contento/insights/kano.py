"""Kano classification of a survey's Kano pairs (Berger et al. 1993).

The pairs are read from the answers (one row per part) and counted per cell of the 5 × 5
evaluation table, so the classification costs one pass over the Kano answers.
"""

from collections import Counter, defaultdict

from contento import stats
from contento.surveys.models import Answer


def features(local, language: str | None = None) -> list[dict]:
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
        row = {"label": lq.text, "key": lq.key, "feature": None}
        if categories:
            row["feature"] = stats.kano_from_counts(dict(categories), name=lq.key)
        result.append(row)
    return result
