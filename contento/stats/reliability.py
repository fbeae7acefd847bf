"""Internal consistency of a multi-item scale: Cronbach's alpha with Feldt's interval.

Answers come as a respondents × items table (one row per respondent, one column per item).
NaN or None marks a missing answer; alpha needs one covariance matrix from the same people,
so a respondent with any missing answer is dropped (listwise deletion, R ``psych::alpha``'s
``use="complete.obs"``) and counted in ``n_missing``. Optional ``weights`` are respondent
sampling weights as in :mod:`contento.stats.scores` (weight 0 ignores a respondent), with
Kish's effective sample size n_eff = (Σw)²/Σw² in place of n in the interval. Too few
respondents or items, or a total score with no variance, raise :class:`NotEnoughData`;
results never contain NaN.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

from contento.stats import _checks
from contento.stats.scores import Estimate, NotEnoughData, _z

# A total-score variance this small relative to the sum of item variances is rounding noise
# around zero (e.g. items that always add up to the same total): alpha is undefined there.
_RELATIVE_ZERO = 1e-12


@dataclass(frozen=True, slots=True)
class AlphaResult(Estimate):
    """Cronbach's alpha as ``value`` (at most 1, possibly negative) with its Feldt interval.

    ``items`` names the columns; ``alpha_if_deleted[j]`` is alpha of the other items when item
    j is left out, None where that is undefined (one item would remain, or the other items'
    total has zero variance). ``n`` counts complete respondents with positive weight;
    ``n_missing`` the respondents dropped for a missing answer.
    """

    k: int
    items: tuple[str, ...]
    alpha_if_deleted: tuple[float | None, ...]
    n_effective: float
    n_missing: int

    def as_dict(self) -> dict[str, Any]:
        """Return the fields as a plain, JSON-serialisable dict (tuples become lists)."""
        result = asdict(self)
        result["items"] = list(self.items)
        result["alpha_if_deleted"] = list(self.alpha_if_deleted)
        return result


def _table(data: ArrayLike) -> np.ndarray:
    """Return the answers as a 2-D float array, NaN for missing; reject anything else."""
    try:
        array = np.asarray(data, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            "Items must be numbers in a respondents × items table (NaN or None if missing)."
        ) from exc
    if array.size == 0:
        raise NotEnoughData("No answers to compute alpha from (the table is empty).")
    if array.ndim != 2:
        raise ValueError("Items must be a two-dimensional respondents × items table.")
    if np.isinf(array).any():
        raise ValueError("Items must be finite (NaN or None marks a missing answer).")
    return array


def _variance(values: np.ndarray, weights: np.ndarray) -> float:
    """Return Σw(x − x̄)²/Σw; the denominator cancels in alpha, so n or n − 1 is immaterial."""
    if np.ptp(values) == 0:
        return 0.0  # identical values: exactly zero, no rounding residue
    mean = float(weights @ values) / float(weights.sum())
    return float(weights @ (values - mean) ** 2) / float(weights.sum())


def _alpha(answers: np.ndarray, weights: np.ndarray) -> float | None:
    """Return k/(k − 1) · (1 − Σσᵢ²/σ²_total), or None where it is undefined."""
    k = answers.shape[1]
    if k < 2:
        return None
    item_variance = sum(_variance(answers[:, j], weights) for j in range(k))
    total_variance = _variance(answers.sum(axis=1), weights)
    if total_variance == 0 or total_variance <= _RELATIVE_ZERO * item_variance:
        return None
    # σ²_total ≤ k·Σσᵢ² (Cauchy–Schwarz), so alpha ≤ 1; min() only removes rounding excess.
    return min(1.0, float(k / (k - 1) * (1 - item_variance / total_variance)))


def _feldt(alpha: float, n: float, k: int, confidence: float) -> tuple[float, float]:
    """Return Feldt's interval: (1 − α)/(1 − α̂) ~ F(n − 1, (n − 1)(k − 1)).

    lower = 1 − (1 − α̂)·F(1 − γ/2), upper = 1 − (1 − α̂)·F(γ/2) with γ = 1 − confidence
    (Feldt, Woodruff & Salih 1987, p. 95, formulas 6 and 7). Stretched, if needed, to contain
    α̂ and capped at 1.
    """
    df1 = n - 1
    df2 = df1 * (k - 1)
    tail = (1 - confidence) / 2
    lower = 1 - (1 - alpha) * float(stats.f.ppf(1 - tail, df1, df2))
    upper = 1 - (1 - alpha) * float(stats.f.ppf(tail, df1, df2))
    if not (math.isfinite(lower) and math.isfinite(upper)):
        raise NotEnoughData("The weights leave too little information for an interval.")
    return min(lower, alpha), min(1.0, max(upper, alpha))


def cronbach_alpha(
    items: ArrayLike,
    weights: ArrayLike | None = None,
    *,
    item_names: Sequence[str] | None = None,
    confidence: float = 0.95,
) -> AlphaResult:
    """Return Cronbach's alpha of a scale, its Feldt interval and alpha if each item is deleted.

    α = k/(k − 1) · (1 − Σσᵢ²/σ²ₜ), with σᵢ² the variance of item i and σ²ₜ that of the
    respondents' total score (Cronbach, L. J. (1951) "Coefficient alpha and the internal
    structure of tests", Psychometrika 16(3):297–334). Interval: Feldt's F distribution,
    (1 − α)/(1 − α̂) ~ F(n − 1, (n − 1)(k − 1)) (Feldt, L. S. (1965) "The approximate
    sampling distribution of Kuder-Richardson reliability coefficient twenty", Psychometrika
    30(3):357–370; limits as in Feldt, Woodruff & Salih (1987) "Statistical inference for
    coefficient alpha", Applied Psychological Measurement 11(1):93–103, p. 95). Weighted:
    weighted variances, and n_eff in place of n. Rows with a missing answer are dropped.
    """
    _z(confidence)  # validate before any other error
    answers = _table(items)
    n_rows, k = answers.shape
    names = _checks.item_names(item_names, k, argument="item_names", unit="items")
    respondent_weights = _checks.respondent_weights(weights, n_rows)
    if k < 2:
        raise NotEnoughData(f"Alpha needs at least two items; got {k}.")
    complete = ~np.isnan(answers).any(axis=1)
    keep = complete & (respondent_weights > 0)
    answers, respondent_weights = answers[keep], respondent_weights[keep]
    n = int(keep.sum())
    if n == 0:
        raise NotEnoughData("No respondent answered every item (with positive weight).")
    n_effective = float(respondent_weights.sum()) ** 2 / float(
        respondent_weights @ respondent_weights
    )
    if n_effective <= 1 + 1e-9:
        raise NotEnoughData("Alpha needs at least two respondents who answered every item.")
    alpha = _alpha(answers, respondent_weights)
    if alpha is None:
        raise NotEnoughData(
            "Every respondent has the same total score (zero variance): alpha is undefined."
        )
    lower, upper = _feldt(alpha, n_effective, k, confidence)
    if_deleted = tuple(_alpha(np.delete(answers, j, axis=1), respondent_weights) for j in range(k))
    return AlphaResult(
        value=alpha,
        lower=lower,
        upper=upper,
        n=n,
        confidence=confidence,
        method="feldt",
        k=k,
        items=names,
        alpha_if_deleted=if_deleted,
        n_effective=n_effective,
        n_missing=int((~complete).sum()),
    )
