"""Kano classification of features from paired functional/dysfunctional answers.

Each feature is asked twice: how the respondent feels if the product has it (functional) and
if it does not (dysfunctional), each answered on the five-point scale 1 like, 2 must-be,
3 neutral, 4 live-with, 5 dislike. Answers may be those codes (integers, or integral floats as
a NaN-carrying array holds them, or the digit strings "1".."5") or the names (any case;
"must be"/"must_be" and "live with"/"live_with" also work). None or NaN marks a missing
answer; a respondent missing either answer of a feature is left out of that feature only.
The evaluation table turns each pair into a category: A attractive, O one-dimensional,
M must-be, I indifferent, R reverse, Q questionable.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from types import MappingProxyType
from typing import Any, Final

import numpy as np
from numpy.typing import ArrayLike

from contento.stats.scores import NotEnoughData

ANSWERS: Final = ("like", "must-be", "neutral", "live-with", "dislike")  # codes 1..5

CATEGORY_NAMES: Final = MappingProxyType(
    {
        "A": "attractive",
        "O": "one-dimensional",
        "M": "must-be",
        "I": "indifferent",
        "R": "reverse",
        "Q": "questionable",
    }
)

# The Kano evaluation table as published in Berger et al. (1993): rows are the functional
# answer, columns the dysfunctional answer, both in the order like, must-be, neutral,
# live-with, dislike.
EVALUATION_TABLE: Final = (
    ("Q", "A", "A", "A", "O"),
    ("R", "I", "I", "I", "M"),
    ("R", "I", "I", "I", "M"),
    ("R", "I", "I", "I", "M"),
    ("R", "R", "R", "R", "Q"),
)

# Ties for the most frequent category go to the one with the most influence on the product,
# M > O > A > I (Berger et al. 1993); R and Q, which say the question or its reading is at
# fault, come last (our extension: the rule does not rank them).
TIE_ORDER: Final = ("M", "O", "A", "I", "R", "Q")

_ANSWER_CODES = {name.replace("-", " "): code for code, name in enumerate(ANSWERS, start=1)}


@dataclass(frozen=True, slots=True)
class KanoFeature:
    """One feature's category counts, modal category and Berger's better/worse coefficients.

    ``category`` is the most frequent category (ties broken M > O > A > I > R > Q;
    ``tie_broken`` says whether the rule was needed). ``better`` = (A + O)/(A + O + M + I) in
    0..1 and ``worse`` = −(O + M)/(A + O + M + I) in −1..0; both are None when every answer is
    R or Q (A + O + M + I = 0).
    """

    name: str
    n: int
    attractive: int
    one_dimensional: int
    must_be: int
    indifferent: int
    reverse: int
    questionable: int
    category: str
    tie_broken: bool
    better: float | None
    worse: float | None

    def as_dict(self) -> dict[str, Any]:
        """Return the fields as a plain, JSON-serialisable dict."""
        return asdict(self)


@dataclass(frozen=True, slots=True)
class KanoResult:
    """Per-feature summaries (in column order) and every respondent's category per feature.

    ``categories[i][j]`` is respondent i's category for feature j, None where an answer was
    missing.
    """

    features: tuple[KanoFeature, ...]
    categories: tuple[tuple[str | None, ...], ...]

    def feature(self, name: str) -> KanoFeature:
        """Return the summary of the feature called ``name``."""
        for feature in self.features:
            if feature.name == name:
                return feature
        raise KeyError(f"No feature called {name!r}.")

    def as_dict(self) -> dict[str, Any]:
        """Return the results as a plain, JSON-serialisable dict."""
        return {
            "features": [feature.as_dict() for feature in self.features],
            "categories": [list(row) for row in self.categories],
        }


def _normal(name: str) -> str:
    """Return ``name`` lower-cased with hyphens, underscores and runs of spaces as one space."""
    return " ".join(name.lower().replace("_", " ").replace("-", " ").split())


def _answer(value: object, what: str) -> int | None:
    """Return the answer code 1..5, or None for a missing answer."""
    if value is None:
        return None
    if isinstance(value, str):
        key = _normal(value)
        if key in _ANSWER_CODES:
            return _ANSWER_CODES[key]
        if key in ("1", "2", "3", "4", "5"):
            return int(key)
    elif isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_):
        number = float(value)
        if math.isnan(number):
            return None
        if number in (1, 2, 3, 4, 5):
            return int(number)
    raise ValueError(f"{what} answers must be 1..5 or one of {', '.join(ANSWERS)}; got {value!r}.")


def kano_category(functional: object, dysfunctional: object) -> str:
    """Return the Kano category (A, O, M, I, R or Q) of one functional/dysfunctional pair.

    The evaluation table of Berger, C. et al. (1993) "Kano's methods for understanding
    customer-defined quality", Center for Quality of Management Journal 2(4), after
    Kano, N., Seraku, N., Takahashi, F. & Tsuji, S. (1984) "Attractive quality and must-be
    quality", Hinshitsu (Quality) 14(2):39–48.
    """
    row = _answer(functional, "Functional")
    column = _answer(dysfunctional, "Dysfunctional")
    if row is None or column is None:
        raise ValueError("Both answers are needed to classify a pair.")
    category: str = EVALUATION_TABLE[row - 1][column - 1]
    return category


def _answers_table(data: object, what: str) -> np.ndarray:
    try:
        array = np.asarray(data, dtype=object)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{what} answers must be a respondents × features table.") from exc
    if array.ndim == 1:
        array = array[:, np.newaxis]
    if array.ndim != 2 or any(isinstance(cell, list | tuple | np.ndarray) for cell in array.flat):
        raise ValueError(f"{what} answers must be a respondents × features table.")
    return array


def _feature_names(features: Sequence[str] | None, k: int) -> tuple[str, ...]:
    if features is None:
        return tuple(str(j + 1) for j in range(k))
    if isinstance(features, str) or not all(isinstance(name, str) for name in features):
        raise TypeError("features must be a sequence of feature names (strings).")
    names = tuple(features)
    if len(names) != k:
        raise ValueError(f"features has {len(names)} names for {k} columns of answers.")
    if len(set(names)) != k:
        raise ValueError("Feature names must be unique.")
    return names


def _summary(name: str, counts: Mapping[str, int]) -> KanoFeature:
    n = sum(counts.values())
    if n == 0:
        raise NotEnoughData(f"Feature {name!r} has no answered pair to classify.")
    most = max(counts.values())
    modal = [letter for letter in TIE_ORDER if counts[letter] == most]
    a, o, m, i = counts["A"], counts["O"], counts["M"], counts["I"]
    relevant = a + o + m + i
    better = worse = None
    if relevant:
        better = (a + o) / relevant
        worse = -(o + m) / relevant + 0.0  # + 0.0 turns −0.0 into 0.0
    return KanoFeature(
        name=name,
        n=n,
        attractive=a,
        one_dimensional=o,
        must_be=m,
        indifferent=i,
        reverse=counts["R"],
        questionable=counts["Q"],
        category=modal[0],
        tie_broken=len(modal) > 1,
        better=better,
        worse=worse,
    )


def kano(
    functional: ArrayLike | Sequence[Any],
    dysfunctional: ArrayLike | Sequence[Any],
    features: Sequence[str] | None = None,
) -> KanoResult:
    """Return each respondent's Kano category per feature and each feature's summary.

    Categories from the evaluation table of Berger et al. (1993) (see :func:`kano_category`);
    per feature the category counts, the modal category with ties broken M > O > A > I
    (Berger et al. 1993; R then Q last), and the customer satisfaction coefficients
    better = (A + O)/(A + O + M + I) and worse = −(O + M)/(A + O + M + I) (Timko's customer
    satisfaction coefficients, in Berger et al. 1993). ``functional`` and ``dysfunctional`` are
    respondents × features tables of answers (1-D: one feature); ``features`` names the
    columns (default "1", "2", …).
    """
    functional_table = _answers_table(functional, "Functional")
    dysfunctional_table = _answers_table(dysfunctional, "Dysfunctional")
    if functional_table.shape != dysfunctional_table.shape:
        raise ValueError(
            "functional and dysfunctional must have the same shape; got "
            f"{functional_table.shape} and {dysfunctional_table.shape}."
        )
    n_rows, k = functional_table.shape
    if n_rows == 0 or k == 0:
        raise NotEnoughData("No answers to classify (the tables are empty).")
    names = _feature_names(features, k)
    categories: list[tuple[str | None, ...]] = []
    counts = [dict.fromkeys(TIE_ORDER, 0) for _ in range(k)]
    for functional_row, dysfunctional_row in zip(
        functional_table, dysfunctional_table, strict=True
    ):
        row: list[str | None] = []
        for j in range(k):
            code = _answer(functional_row[j], "Functional")
            other = _answer(dysfunctional_row[j], "Dysfunctional")
            category = (
                None if code is None or other is None else EVALUATION_TABLE[code - 1][other - 1]
            )
            if category is not None:
                counts[j][category] += 1
            row.append(category)
        categories.append(tuple(row))
    return KanoResult(
        features=tuple(_summary(name, counts[j]) for j, name in enumerate(names)),
        categories=tuple(categories),
    )


def kano_from_counts(counts: Mapping[str, Any], *, name: str = "") -> KanoFeature:
    """Return a feature's Kano summary from its category counts.

    ``counts`` maps categories, as letters (A, O, M, I, R, Q) or names ("attractive",
    "one-dimensional", "must-be", "indifferent", "reverse", "questionable"), any case, to
    non-negative integer counts; categories left out count 0. Modal category, tie rule and
    better/worse coefficients as :func:`kano` (Berger et al. 1993).
    """
    if not isinstance(counts, Mapping):
        raise TypeError("counts must be a mapping {category: count}.")
    letter_of = {letter.lower(): letter for letter in CATEGORY_NAMES}
    letter_of.update({_normal(full): letter for letter, full in CATEGORY_NAMES.items()})
    tally = dict.fromkeys(TIE_ORDER, 0)
    seen = set()
    for key, value in counts.items():
        letter = letter_of.get(_normal(str(key)))
        if letter is None:
            raise ValueError(f"Unknown Kano category {key!r}; use A, O, M, I, R or Q.")
        if letter in seen:
            raise ValueError(f"Category {letter} is given twice.")
        seen.add(letter)
        if (
            isinstance(value, bool)
            or not isinstance(value, numbers.Real)
            or not math.isfinite(value)
            or value < 0
            or value != round(value)
        ):
            raise ValueError(f"Counts must be non-negative integers; got {value!r} for {key!r}.")
        tally[letter] = int(float(value))
    return _summary(name, tally)
