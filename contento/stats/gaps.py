"""Expectation–perception gaps (SERVQUAL) per item and per dimension, with paired tests.

Answers come as two respondents × items tables of the same shape, ``expected`` and
``perceived`` (row i of both is the same respondent). NaN or None marks a missing answer.
Missing pairs are dropped pairwise, item by item: a respondent who lacks the expectation or
the perception of an item is left out of that item only (``n_missing`` counts them). A
dimension's gap for a respondent is the mean of that respondent's gaps on the dimension's
items they answered in full; respondents with no complete pair in the dimension are left
out of it. Optional ``weights`` are respondent sampling weights as in
:mod:`contento.stats.scores` (weight 0 ignores a respondent; Kish's n_eff = (Σw)²/Σw² in place
of n). Fewer than two respondents for an item or dimension raises :class:`NotEnoughData`;
results never contain NaN.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

from contento.stats import _checks
from contento.stats.scores import Estimate, NotEnoughData, _z


@dataclass(frozen=True, slots=True)
class Gap(Estimate):
    """Mean gap perception − expectation (negative: below expectations) with paired tests.

    ``value``, ``lower``, ``upper``: the mean gap and its t interval. ``expected`` and
    ``perceived`` are the mean answers over the same respondents, ``std`` the standard
    deviation of the respondents' gaps. ``p_value`` is the two-sided paired t test of a zero
    mean gap; ``wilcoxon_p_value`` the two-sided Wilcoxon signed-rank test (None with unequal
    weights). ``n_missing`` counts respondents without a complete pair.
    """

    name: str
    expected: float
    perceived: float
    std: float
    standard_error: float
    n_effective: float
    p_value: float
    wilcoxon_p_value: float | None
    n_missing: int


@dataclass(frozen=True, slots=True)
class GapsResult:
    """Gaps per item (in column order) and per dimension (in the order given)."""

    items: tuple[Gap, ...]
    dimensions: tuple[Gap, ...]
    confidence: float

    def item(self, name: str) -> Gap:
        """Return the gap of the item called ``name``."""
        return _by_name(self.items, name, "item")

    def dimension(self, name: str) -> Gap:
        """Return the gap of the dimension called ``name``."""
        return _by_name(self.dimensions, name, "dimension")

    def as_dict(self) -> dict[str, Any]:
        """Return the results as a plain, JSON-serialisable dict."""
        return {
            "items": [gap.as_dict() for gap in self.items],
            "dimensions": [gap.as_dict() for gap in self.dimensions],
            "confidence": self.confidence,
        }


def _by_name(gaps: tuple[Gap, ...], name: str, kind: str) -> Gap:
    for gap in gaps:
        if gap.name == name:
            return gap
    raise KeyError(f"No {kind} called {name!r}.")


def _table(data: ArrayLike, what: str) -> np.ndarray:
    """Return answers as a respondents × items float array (1-D: one item), NaN if missing."""
    try:
        array = np.asarray(data, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"{what} must be numbers in a respondents × items table (NaN or None if missing)."
        ) from exc
    if array.ndim == 1:
        array = array[:, np.newaxis]
    if array.ndim != 2:
        raise ValueError(f"{what} must be a respondents × items table (two-dimensional).")
    if np.isinf(array).any():
        raise ValueError(f"{what} must be finite (NaN or None marks a missing answer).")
    return array


def _dimension_columns(
    dimensions: Mapping[str, Sequence[str]] | None, names: tuple[str, ...]
) -> list[tuple[str, list[int]]]:
    if dimensions is None:
        return []
    if not isinstance(dimensions, Mapping):
        raise TypeError("dimensions must be a mapping {dimension: [item names]}.")
    column = {name: j for j, name in enumerate(names)}
    result = []
    for dimension, members in dimensions.items():
        if isinstance(members, str) or not isinstance(members, Sequence):
            raise TypeError(f"Dimension {dimension!r} must list its item names.")
        unknown = [member for member in members if member not in column]
        if unknown:
            raise ValueError(f"Dimension {dimension!r} names unknown item {unknown[0]!r}.")
        if not members or len(set(members)) != len(members):
            raise ValueError(f"Dimension {dimension!r} must list one or more distinct items.")
        result.append((str(dimension), [column[member] for member in members]))
    return result


def _weighted_mean(values: np.ndarray, weights: np.ndarray) -> float:
    if np.ptp(values) == 0:
        return float(values[0])  # identical values: exact, no rounding drift
    return float(weights @ values) / float(weights.sum())


def _wilcoxon(differences: np.ndarray, weights: np.ndarray) -> float | None:
    """Return scipy's two-sided Wilcoxon signed-rank p, 1 for all-zero gaps, None if weighted."""
    if np.ptp(weights) != 0:
        return None  # the signed-rank test has no sampling-weighted form here
    if not differences.any():
        return 1.0  # no non-zero gap to rank (scipy would return NaN)
    p_value = float(stats.wilcoxon(differences).pvalue)
    return p_value if math.isfinite(p_value) else None


def _paired_t(
    value: float, std: float, n_effective: float, confidence: float
) -> tuple[float, float, float, float]:
    """Return the standard error, t interval and two-sided p of a mean gap (Student 1908)."""
    se = std / math.sqrt(n_effective)
    if se == 0:
        # Every respondent has the same gap: the interval is that gap, and the t statistic is
        # 0/0 (p = 1) for a zero gap and infinite (p = 0) otherwise.
        return se, value, value, 1.0 if value == 0 else 0.0
    df = n_effective - 1
    half = float(stats.t.ppf(0.5 + confidence / 2, df)) * se
    if not math.isfinite(half):
        raise NotEnoughData("The weights leave too little information for an interval.")
    return se, value - half, value + half, float(min(1.0, 2 * stats.t.sf(abs(value) / se, df)))


def gap_from_moments(
    name: str,
    n: int,
    sum_expected: float,
    sum_perceived: float,
    sum_expected_squares: float,
    sum_perceived_squares: float,
    sum_products: float,
    *,
    confidence: float = 0.95,
) -> Gap:
    """Return the paired-t gap of an item from sums over its n complete pairs.

    With d = perceived − expected, Σd = Σp − Σe and Σd² = Σp² + Σe² − 2Σpe, so the mean gap,
    its standard deviation and the paired t test (Student 1908) follow from the five sums a
    database can keep per item (see ``contento.insights``). Unweighted; no Wilcoxon test,
    which needs the respondents' ranks.
    """
    if n < 2:
        raise NotEnoughData(
            f"{name!r} has {n} respondent(s) with both answers; a paired t interval needs two."
        )
    sum_d = sum_perceived - sum_expected
    sum_dd = sum_perceived_squares + sum_expected_squares - 2 * sum_products
    value = sum_d / n
    squares = max(sum_dd - n * value * value, 0.0)
    std = math.sqrt(squares / (n - 1))
    se, lower, upper, p_value = _paired_t(value, std, float(n), confidence)
    return Gap(
        value=value,
        lower=lower,
        upper=upper,
        n=n,
        confidence=confidence,
        method="paired-t",
        name=name,
        expected=sum_expected / n,
        perceived=sum_perceived / n,
        std=std,
        standard_error=se,
        n_effective=float(n),
        p_value=p_value,
        wilcoxon_p_value=None,
        n_missing=0,
    )


def _gap(
    name: str,
    expected: np.ndarray,
    perceived: np.ndarray,
    weights: np.ndarray,
    n_missing: int,
    confidence: float,
) -> Gap:
    """Return the paired-t summary of per-respondent gaps (rows already complete, weight > 0)."""
    n = len(expected)
    n_effective = float(weights.sum()) ** 2 / float(weights @ weights) if n else 0.0
    if n_effective <= 1 + 1e-9:
        raise NotEnoughData(
            f"{name!r} has {n} respondent(s) with both answers; a paired t interval needs two."
        )
    differences = perceived - expected
    value = _weighted_mean(differences, weights)
    squares = float(weights @ (differences - value) ** 2)
    std = math.sqrt(squares / float(weights.sum()) * n_effective / (n_effective - 1))
    se, lower, upper, p_value = _paired_t(value, std, n_effective, confidence)
    return Gap(
        value=value,
        lower=lower,
        upper=upper,
        n=n,
        confidence=confidence,
        method="paired-t",
        name=name,
        expected=_weighted_mean(expected, weights),
        perceived=_weighted_mean(perceived, weights),
        std=std,
        standard_error=se,
        n_effective=n_effective,
        p_value=p_value,
        wilcoxon_p_value=_wilcoxon(differences, weights),
        n_missing=n_missing,
    )


def gaps(
    expected: ArrayLike,
    perceived: ArrayLike,
    items: Sequence[str] | None = None,
    *,
    dimensions: Mapping[str, Sequence[str]] | None = None,
    weights: ArrayLike | None = None,
    confidence: float = 0.95,
) -> GapsResult:
    """Return the perception − expectation gap of each item and dimension with paired tests.

    SERVQUAL's gap score is perception minus expectation, item by item, averaged over the
    items of a dimension (Parasuraman, A., Zeithaml, V. A. & Berry, L. L. (1988) "SERVQUAL: A
    Multiple-Item Scale for Measuring Consumer Perceptions of Service Quality", Journal of
    Retailing 64(1):12–40). Each gap is the mean of the respondents' own differences with
    the Student t interval and the paired t test on n − 1 df (Student (1908), Biometrika
    6(1):1–25), plus the Wilcoxon signed-rank p-value (Wilcoxon, F. (1945) "Individual
    comparisons by ranking methods", Biometrics Bulletin 1(6):80–83) from
    ``scipy.stats.wilcoxon`` with its defaults (zero gaps dropped). ``items`` names the
    columns (default "1", "2", …); ``dimensions`` maps a dimension to its item names. Missing
    pairs are dropped per item; weighted: as :func:`contento.stats.scores.mean_score`.
    """
    _z(confidence)  # validate before any other error
    expected_table = _table(expected, "Expected")
    perceived_table = _table(perceived, "Perceived")
    if expected_table.shape != perceived_table.shape:
        raise ValueError(
            f"expected and perceived must have the same shape; got {expected_table.shape} "
            f"and {perceived_table.shape}."
        )
    n_rows, k = expected_table.shape
    if n_rows == 0 or k == 0:
        raise NotEnoughData("No answers to compute gaps from (the tables are empty).")
    names = _checks.item_names(items, k, argument="items", unit="columns of answers")
    columns = _dimension_columns(dimensions, names)
    respondent_weights = _checks.respondent_weights(weights, n_rows)
    complete = ~(np.isnan(expected_table) | np.isnan(perceived_table))
    counted = respondent_weights > 0

    item_gaps = []
    for j, name in enumerate(names):
        keep = complete[:, j] & counted
        item_gaps.append(
            _gap(
                name,
                expected_table[keep, j],
                perceived_table[keep, j],
                respondent_weights[keep],
                int((~complete[:, j]).sum()),
                confidence,
            )
        )

    dimension_gaps = []
    for dimension, members in columns:
        pairs = complete[:, members]
        answered = pairs.sum(axis=1)
        keep = (answered > 0) & counted
        # Each respondent's mean over the items they answered in full (pairwise deletion).
        mean_expected = np.where(pairs, expected_table[:, members], 0.0).sum(axis=1)
        mean_perceived = np.where(pairs, perceived_table[:, members], 0.0).sum(axis=1)
        dimension_gaps.append(
            _gap(
                dimension,
                mean_expected[keep] / answered[keep],
                mean_perceived[keep] / answered[keep],
                respondent_weights[keep],
                int((answered == 0).sum()),
                confidence,
            )
        )
    return GapsResult(
        items=tuple(item_gaps), dimensions=tuple(dimension_gaps), confidence=confidence
    )
