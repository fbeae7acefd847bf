"""Satisfaction scores (NPS, CSAT, CES, means) with confidence intervals.

Answers come as raw ``scores`` (1-D, optionally with sampling ``weights``; weight 0 ignores
an answer) or as ``counts={score: number_of_answers}``, the shape dashboards keep (numeric
string keys from JSON are accepted). Both give identical results, whatever the order.
Weighted answers use Kish's effective sample size n_eff = (Σw)²/Σw² in place of n (Kish, L.
(1965) *Survey Sampling*, Wiley, §11.7). No answers raises :class:`NotEnoughData`; values off
the scale, negative or fractional counts and non-finite numbers raise ValueError. Results
never contain NaN.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

NPS_METHODS = ("adjusted-wald", "wald", "bootstrap")

# What each score's answers mean: the one place these rules are written down.
# NPS answers 0–10: 9–10 promoters, 0–6 detractors, 7–8 passives (Reichheld 2003).
NPS_SCALE = (0, 10)
NPS_PROMOTER_MIN = 9
NPS_DETRACTOR_MAX = 6
# CSAT answers 1–5: the top two boxes (4–5) are satisfied, the bottom two (1–2) dissatisfied.
CSAT_SCALE = (1, 5)
CSAT_TOP = 2
# CES 2.0 answers 1–7 ("the company made it easy", Dixon, Freeman & Toman 2010): above the
# neutral midpoint (5–7) easy, below it (1–3) hard.
CES_SCALE = (1, 7)

# Pseudo-observations added to (detractors, passives, promoters) by the adjusted Wald interval
# of Rocks (2016): 3 in all, split 1/4, 1/2, 1/4. The split is the default of the author's
# reference implementation (R package NPS, nps_test(pseudo_observations = c(0.75, 1.5, 0.75)))
# and matches Lewis & Sauro (2021, MeasuringU): add 3 to n, 3/4 to detractors and promoters.
_NPS_PSEUDO = (0.75, 1.5, 0.75)
_NO_PSEUDO = (0.0, 0.0, 0.0)


class NotEnoughData(ValueError):
    """Raised when there are too few answers to compute a statistic or its interval."""


def nps_category(score: float) -> int:
    """Return 1 for a promoter (9–10), −1 for a detractor (0–6) and 0 for a passive (7–8).

    Reichheld, F. (2003) "The One Number You Need to Grow", Harvard Business Review 81(12).
    """
    return 1 if score >= NPS_PROMOTER_MIN else -1 if score <= NPS_DETRACTOR_MAX else 0


def csat_category(
    score: float,
    *,
    top: int = CSAT_TOP,
    scale_min: int = CSAT_SCALE[0],
    scale_max: int = CSAT_SCALE[1],
) -> int:
    """Return 1 for a satisfied answer (the ``top`` highest boxes: 4–5 on 1–5), −1 for a
    dissatisfied one (the ``top`` lowest: 1–2) and 0 between (3).

    The top-box share is the usual CSAT (as :func:`csat`); the bottom boxes mirror it.
    """
    if score >= scale_max - top + 1:
        return 1
    return -1 if score <= scale_min + top - 1 else 0


def ces_category(
    score: float, *, scale_min: int = CES_SCALE[0], scale_max: int = CES_SCALE[1]
) -> int:
    """Return 1 for an easy answer (above the scale's midpoint: 5–7 on 1–7), −1 for a hard
    one (below it: 1–3) and 0 at the midpoint (4).

    CES 2.0 agreement scale (Dixon, Freeman & Toman 2010, Harvard Business Review 88(7/8)).
    """
    middle = (scale_min + scale_max) / 2
    return 1 if score > middle else -1 if score < middle else 0


# The category of one answer, by the kind of score it answers.
SCORE_CATEGORIES = {"nps": nps_category, "csat": csat_category, "ces": ces_category}


@dataclass(frozen=True, slots=True)
class Estimate:
    """A point estimate with its two-sided confidence interval [lower, upper]."""

    value: float
    lower: float
    upper: float
    n: int
    confidence: float
    method: str

    def as_dict(self) -> dict[str, Any]:
        """Return the fields as a plain, JSON-serialisable dict."""
        return asdict(self)


@dataclass(frozen=True, slots=True)
class NPSResult(Estimate):
    """NPS on the −100..100 scale, with answer counts and (weighted) category shares 0..1."""

    promoters: int
    passives: int
    detractors: int
    promoter_share: float
    passive_share: float
    detractor_share: float
    n_effective: float


@dataclass(frozen=True, slots=True)
class ProportionResult(Estimate):
    """A proportion on the 0..1 scale; ``successes`` counts answers, unweighted."""

    successes: int
    n_effective: float


@dataclass(frozen=True, slots=True)
class CSATResult(ProportionResult):
    """Top-box share (0..1) plus the same numbers in percent for display."""

    percent: float
    lower_percent: float
    upper_percent: float
    top: int
    scale_max: int


@dataclass(frozen=True, slots=True)
class MeanResult(Estimate):
    """A mean answer with its (weighted) standard deviation and standard error."""

    std: float
    standard_error: float
    n_effective: float


@dataclass(frozen=True, slots=True)
class DifferenceResult(Estimate):
    """Difference a − b of two independent estimates; ``n`` is n_a + n_b."""

    p_value: float
    n_a: int
    n_b: int


class _Sample:
    """Answers grouped into distinct (value, weight) pairs, so order never matters."""

    __slots__ = ("freq", "n", "n_effective", "values", "weight", "weighted")

    def __init__(self, values: np.ndarray, freq: np.ndarray, weight: np.ndarray) -> None:
        order = np.lexsort((weight, values))
        values, weight, freq = values[order], weight[order], freq[order]
        starts = np.flatnonzero(
            np.r_[True, (values[1:] != values[:-1]) | (weight[1:] != weight[:-1])]
        )
        self.values, self.weight = values[starts], weight[starts]
        self.freq = np.add.reduceat(freq, starts)
        self.weighted = self.freq * self.weight
        self.n = int(self.freq.sum())
        total = float(self.weighted.sum())
        self.n_effective = total**2 / float(self.freq @ self.weight**2)

    def share(self, mask: np.ndarray) -> float:
        return float(self.weighted[mask].sum() / self.weighted.sum())


def _as_floats(data: Any, what: str) -> np.ndarray:
    try:
        array = np.asarray(data, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{what} must be numbers.") from exc
    if array.ndim != 1:
        raise ValueError(f"{what} must be one-dimensional.")
    if not np.isfinite(array).all():
        raise ValueError(f"{what} must be finite (no NaN or infinity).")
    return array


def _sample(
    scores: ArrayLike | None,
    counts: Mapping[Any, Any] | None,
    weights: ArrayLike | None,
    *,
    low: float | None = None,
    high: float | None = None,
    integer: bool = False,
    label: str = "Scores",
) -> _Sample:
    """Validate either raw scores (with optional weights) or a counts mapping."""
    if (scores is None) == (counts is None):
        raise TypeError("Pass either scores or counts=, not both and not neither.")
    if counts is not None:
        if weights is not None:
            raise TypeError("weights= applies to raw scores; counts are already frequencies.")
        if not isinstance(counts, Mapping):
            raise TypeError("counts must be a mapping {score: count}.")
        values = _as_floats(list(counts.keys()), f"{label} (the keys of counts)")
        freq = _as_floats(list(counts.values()), "Counts")
        bad_counts = (freq < 0) | (freq != np.round(freq))
        if bad_counts.any():
            raise ValueError(f"Counts must be non-negative integers; got {freq[bad_counts][0]:g}.")
        weight = np.ones_like(values)
    else:
        values = _as_floats(scores, label)
        freq = np.ones_like(values)
        weight = np.ones_like(values) if weights is None else _as_floats(weights, "Weights")
        if weight.shape != values.shape:
            raise ValueError("weights must have one entry per score.")
        if (weight < 0).any():
            raise ValueError("Weights must be non-negative.")
    bad = np.zeros(values.shape, dtype=bool)
    if integer:
        bad |= values != np.round(values)
    if low is not None:
        bad |= values < low
    if high is not None:
        bad |= values > high
    if bad.any():
        kind = "integers" if integer else "numbers"
        bounds = f" from {low:g}" if low is not None else ""
        bounds += f" up to {high:g}" if high is not None else ""
        raise ValueError(f"{label} must be {kind}{bounds}; got {values[bad][0]:g}.")
    keep = (freq > 0) & (weight > 0)
    if not keep.any():
        raise NotEnoughData(f"No answers to compute from ({label.lower()} are empty).")
    return _Sample(values[keep], freq[keep].astype(np.int64), weight[keep])


def _z(confidence: float) -> float:
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be between 0 and 1 (exclusive); got {confidence}.")
    return float(stats.norm.ppf(0.5 + confidence / 2))


def _hull(
    value: float, lower: float, upper: float, floor: float, ceil: float
) -> tuple[float, float]:
    """Clip [lower, upper] to the scale and stretch it to contain the point estimate."""
    return max(floor, min(lower, value)), min(ceil, max(upper, value))


def _wilson(p: float, n: float, z: float) -> tuple[float, float]:
    """Return the Wilson (1927) score interval for proportion p out of n (n may be n_eff)."""
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = z / denominator * math.sqrt(max(p * (1 - p), 0.0) / n + z2 / (4 * n * n))
    return _hull(p, centre - half, centre + half, 0.0, 1.0)


def _nps_centre_se(
    detractor: float, promoter: float, n: float, pseudo: tuple[float, float, float]
) -> tuple[float, float]:
    """Return the (adjusted) NPS on −1..1 and its trinomial standard error.

    Var(NPS) = (p₊ + p₋ − (p₊ − p₋)²) / n (Rocks 2016), computed after adding ``pseudo``
    answers to (detractors, passives, promoters); passives enter only through the total.
    """
    det, pro = detractor * n + pseudo[0], promoter * n + pseudo[2]
    m = n + sum(pseudo)
    centre = (pro - det) / m
    variance = max((pro + det) / m - centre**2, 0.0)
    return centre, math.sqrt(variance / m)


def nps(
    scores: ArrayLike | None = None,
    *,
    counts: Mapping[Any, Any] | None = None,
    weights: ArrayLike | None = None,
    confidence: float = 0.95,
    method: str = "adjusted-wald",
    n_resamples: int = 2000,
    seed: int | None = 0,
) -> NPSResult:
    """Return the Net Promoter Score (−100..100) and its confidence interval.

    Answers are integers 0..10: 9–10 promoters, 7–8 passives, 0–6 detractors; NPS is
    100 × (share of promoters − share of detractors) (Reichheld, F. (2003) "The One Number
    You Need to Grow", Harvard Business Review 81(12)).

    Methods, after Rocks, B. (2016) "Interval Estimation for the 'Net Promoter Score'",
    The American Statistician 70(4):365–372:

    * ``"wald"``: NPS ± z·se with the trinomial variance (p₊ + p₋ − (p₊ − p₋)²) / n.
      It collapses to a zero-width interval when every answer falls in one category.
    * ``"adjusted-wald"`` (default; adjusted Wald variants were among the best performers in
      Rocks' comparison on real company data): the same interval
      computed after adding 3 pseudo-answers, 0.75 detractor + 1.5 passive + 0.75 promoter
      (the reference implementation's default), so it is centred on the shrunken estimate.
    * ``"bootstrap"``: percentile interval (Efron, B. & Tibshirani, R. (1993) *An
      Introduction to the Bootstrap*, ch. 13) over ``n_resamples`` resamples of the answers.
      ``seed`` is fixed by default so the same data always shows the same interval; pass
      None for fresh randomness.

    Every interval is clipped to −100..100 and, where the adjustment or the resampling would
    leave the reported NPS outside it (only at tiny n), stretched to include it.
    """
    if method not in NPS_METHODS:
        raise ValueError(f"method must be one of {NPS_METHODS}; got {method!r}.")
    z = _z(confidence)
    low, high = NPS_SCALE
    sample = _sample(scores, counts, weights, low=low, high=high, integer=True, label="NPS scores")
    category = np.where(
        sample.values >= NPS_PROMOTER_MIN, 1, np.where(sample.values <= NPS_DETRACTOR_MAX, -1, 0)
    )
    detractor, passive, promoter = (sample.share(category == kind) for kind in (-1, 0, 1))
    value = promoter - detractor
    if method == "bootstrap":
        lower, upper = _bootstrap_nps(sample, category, confidence, n_resamples, seed)
    else:
        pseudo = _NPS_PSEUDO if method == "adjusted-wald" else _NO_PSEUDO
        centre, se = _nps_centre_se(detractor, promoter, sample.n_effective, pseudo)
        lower, upper = centre - z * se, centre + z * se
    lower, upper = _hull(100 * value, 100 * lower, 100 * upper, -100.0, 100.0)
    return NPSResult(
        value=100 * value,
        lower=lower,
        upper=upper,
        n=sample.n,
        confidence=confidence,
        method=method,
        promoters=int(sample.freq[category == 1].sum()),
        passives=int(sample.freq[category == 0].sum()),
        detractors=int(sample.freq[category == -1].sum()),
        promoter_share=promoter,
        passive_share=passive,
        detractor_share=detractor,
        n_effective=sample.n_effective,
    )


def _bootstrap_nps(
    sample: _Sample, category: np.ndarray, confidence: float, n_resamples: int, seed: int | None
) -> tuple[float, float]:
    """Return the percentile-bootstrap interval of the NPS on −1..1.

    Resampling n answers with replacement is a multinomial draw over the distinct
    (score, weight) groups with probabilities freq / n, which avoids materialising rows.
    """
    if n_resamples < 1:
        raise ValueError("n_resamples must be at least 1.")
    rng = np.random.default_rng(seed)
    probabilities = sample.freq / sample.n
    net = sample.weight * category
    replicates = np.empty(n_resamples)
    batch = max(1, 2**22 // len(probabilities))  # bound memory at ~32 MB per batch
    for start in range(0, n_resamples, batch):
        size = min(batch, n_resamples - start)
        draws = rng.multinomial(sample.n, probabilities, size=size)
        replicates[start : start + size] = (draws @ net) / (draws @ sample.weight)
    alpha = 1 - confidence
    lower, upper = np.quantile(replicates, [alpha / 2, 1 - alpha / 2])
    return float(lower), float(upper)


def proportion(successes: int, n: int, confidence: float = 0.95) -> ProportionResult:
    """Return successes / n with its Wilson score interval.

    Wilson, E. B. (1927) "Probable inference, the law of succession, and statistical
    inference", JASA 22(158):209–212; without continuity correction, as method 3 of
    Newcombe, R. G. (1998) "Two-sided confidence intervals for the single proportion",
    Statistics in Medicine 17:857–872. Stays inside 0..1 and is defined for 0 or n successes.
    """
    for name, number in (("successes", successes), ("n", n)):
        if isinstance(number, bool) or not float(number).is_integer() or number < 0:
            raise ValueError(f"{name} must be a non-negative integer; got {number!r}.")
    if successes > n:
        raise ValueError(f"successes ({successes}) cannot exceed n ({n}).")
    if n == 0:
        raise NotEnoughData("A proportion needs at least one answer (n = 0).")
    successes, n = int(successes), int(n)
    value = successes / n
    lower, upper = _wilson(value, n, _z(confidence))
    return ProportionResult(
        value=value,
        lower=lower,
        upper=upper,
        n=n,
        confidence=confidence,
        method="wilson",
        successes=successes,
        n_effective=float(n),
    )


def csat(
    scores: ArrayLike | None = None,
    *,
    counts: Mapping[Any, Any] | None = None,
    weights: ArrayLike | None = None,
    top: int = CSAT_TOP,
    scale_min: int = CSAT_SCALE[0],
    scale_max: int = CSAT_SCALE[1],
    confidence: float = 0.95,
) -> CSATResult:
    """Return the CSAT top-box share (answers in the ``top`` highest boxes) with its interval.

    The share is the usual CSAT definition (e.g. 4–5 on a 1–5 scale); the interval is the
    Wilson (1927) score interval (JASA 22:209–212), with n_eff in place of n when weighted.
    """
    points = scale_max - scale_min + 1
    if points < 2 or not 1 <= top <= points:
        raise ValueError(f"top must be between 1 and {points} on a {scale_min}..{scale_max} scale.")
    z = _z(confidence)
    sample = _sample(
        scores, counts, weights, low=scale_min, high=scale_max, integer=True, label="CSAT scores"
    )
    in_top = sample.values >= scale_max - top + 1
    value = sample.share(in_top)
    lower, upper = _wilson(value, sample.n_effective, z)
    return CSATResult(
        value=value,
        lower=lower,
        upper=upper,
        n=sample.n,
        confidence=confidence,
        method="wilson",
        successes=int(sample.freq[in_top].sum()),
        n_effective=sample.n_effective,
        percent=100 * value,
        lower_percent=100 * lower,
        upper_percent=100 * upper,
        top=top,
        scale_max=scale_max,
    )


def _mean(sample: _Sample, confidence: float, low: float | None, high: float | None) -> MeanResult:
    """Return the (weighted) mean with its Student t interval on n_eff − 1 df."""
    _z(confidence)  # validate before any other error
    if sample.n_effective <= 1 + 1e-9:
        raise NotEnoughData(
            "A t interval needs at least two answers with positive weight; got one."
        )
    if len(sample.values) == 1 or np.ptp(sample.values) == 0:
        value = float(sample.values[0])  # identical answers: exact, no rounding drift
    else:
        value = float(sample.values @ sample.weighted / sample.weighted.sum())
    n_eff = sample.n_effective
    squares = float(sample.weighted @ (sample.values - value) ** 2)
    std = math.sqrt(squares / float(sample.weighted.sum()) * n_eff / (n_eff - 1))
    se = std / math.sqrt(n_eff)
    if se == 0:
        lower = upper = value
    else:
        half = float(stats.t.ppf(0.5 + confidence / 2, n_eff - 1)) * se
        if not math.isfinite(half):
            raise NotEnoughData("The weights leave too little information for an interval.")
        lower, upper = value - half, value + half
    lower, upper = _hull(
        value, lower, upper, -math.inf if low is None else low, math.inf if high is None else high
    )
    return MeanResult(
        value=value,
        lower=lower,
        upper=upper,
        n=sample.n,
        confidence=confidence,
        method="t",
        std=std,
        standard_error=se,
        n_effective=n_eff,
    )


def mean_score(
    scores: ArrayLike | None = None,
    *,
    counts: Mapping[Any, Any] | None = None,
    weights: ArrayLike | None = None,
    confidence: float = 0.95,
    scale_min: float | None = None,
    scale_max: float | None = None,
) -> MeanResult:
    """Return the mean answer with its Student t confidence interval.

    mean ± t(1 − α/2, n − 1) · s / √n (Student (1908) "The probable error of a mean",
    Biometrika 6(1):1–25). Weighted: weighted mean, s² = Σw(x − x̄)²/Σw · n_eff/(n_eff − 1)
    and n_eff = (Σw)²/Σw² (Kish 1965, §11.7) in place of n, so unit weights give the textbook
    interval. One answer raises NotEnoughData (the t interval has no degrees of freedom);
    identical answers give lower == upper == value. With ``scale_min``/``scale_max`` the
    answers are checked against the scale and the interval is clipped to it.
    """
    sample = _sample(scores, counts, weights, low=scale_min, high=scale_max)
    return _mean(sample, confidence, scale_min, scale_max)


def ces(
    scores: ArrayLike | None = None,
    *,
    counts: Mapping[Any, Any] | None = None,
    weights: ArrayLike | None = None,
    confidence: float = 0.95,
    scale_min: int = CES_SCALE[0],
    scale_max: int = CES_SCALE[1],
) -> MeanResult:
    """Return the Customer Effort Score (mean answer, default 1–7 scale) with its t interval.

    CES after Dixon, M., Freeman, K. & Toman, N. (2010) "Stop Trying to Delight Your
    Customers", Harvard Business Review 88(7/8); the 1–7 agreement scale is CES 2.0. Answers
    must be integers on the scale. Interval and degenerate cases as :func:`mean_score`
    (Student 1908; Kish 1965 for weights).
    """
    sample = _sample(
        scores, counts, weights, low=scale_min, high=scale_max, integer=True, label="CES scores"
    )
    return _mean(sample, confidence, scale_min, scale_max)


def _two_sided_p(difference: float, se: float) -> float:
    if se > 0:
        return float(min(1.0, 2 * stats.norm.sf(abs(difference) / se)))
    return 1.0 if difference == 0 else 0.0


def nps_difference(
    a: NPSResult, b: NPSResult, *, confidence: float = 0.95, method: str = "adjusted-wald"
) -> DifferenceResult:
    """Return NPS(a) − NPS(b) in NPS points with its interval and two-sided p-value.

    Two independent samples, each with the trinomial variance (p₊ + p₋ − (p₊ − p₋)²) / n, so
    se = √(var_a/n_a + var_b/n_b) and z = Δ / se (Rocks 2016, the two-sample Wald test;
    n_eff for weighted results). ``"adjusted-wald"`` (default) adds the 0.75/1.5/0.75
    pseudo-answers to each sample first, as the reference implementation does; it also keeps
    se > 0 when a sample is all one category. ``"wald"`` uses the raw shares; there a zero se
    gives p = 1 for equal scores and p = 0 otherwise. Clipped to −200..200 and stretched to
    contain the reported difference.
    """
    if not (isinstance(a, NPSResult) and isinstance(b, NPSResult)):
        raise TypeError("nps_difference() compares two NPSResult values returned by nps().")
    if method not in ("adjusted-wald", "wald"):
        raise ValueError(f"method must be 'adjusted-wald' or 'wald'; got {method!r}.")
    z = _z(confidence)
    pseudo = _NPS_PSEUDO if method == "adjusted-wald" else _NO_PSEUDO
    centre_a, se_a = _nps_centre_se(a.detractor_share, a.promoter_share, a.n_effective, pseudo)
    centre_b, se_b = _nps_centre_se(b.detractor_share, b.promoter_share, b.n_effective, pseudo)
    centre, se = centre_a - centre_b, math.hypot(se_a, se_b)
    value = a.value - b.value
    lower, upper = _hull(value, 100 * (centre - z * se), 100 * (centre + z * se), -200.0, 200.0)
    return DifferenceResult(
        value=value,
        lower=lower,
        upper=upper,
        n=a.n + b.n,
        confidence=confidence,
        method=method,
        p_value=_two_sided_p(centre, se),
        n_a=a.n,
        n_b=b.n,
    )


def proportion_difference(
    a: ProportionResult, b: ProportionResult, *, confidence: float = 0.95
) -> DifferenceResult:
    """Return p_a − p_b (0..1 scale) with Newcombe's hybrid score interval and a z-test p.

    Interval: method 10 of Newcombe, R. G. (1998) "Interval estimation for the difference
    between independent proportions: comparison of eleven methods", Statistics in Medicine
    17:873–890 — Δ − √((p_a − l_a)² + (u_b − p_b)²) to Δ + √((u_a − p_a)² + (p_b − l_b)²) with
    (l, u) the Wilson limits of each proportion. p-value: the pooled two-proportion z test,
    z = Δ / √(p̄(1 − p̄)(1/n_a + 1/n_b)), whose z² is Pearson's χ² for the 2×2 table without
    continuity correction. Test and interval are different methods and can disagree at the
    margin. Takes ProportionResult or CSATResult values (n_eff is used).
    """
    if not (isinstance(a, ProportionResult) and isinstance(b, ProportionResult)):
        raise TypeError("proportion_difference() compares two ProportionResult values.")
    z = _z(confidence)
    low_a, high_a = _wilson(a.value, a.n_effective, z)
    low_b, high_b = _wilson(b.value, b.n_effective, z)
    value = a.value - b.value
    lower = value - math.hypot(a.value - low_a, high_b - b.value)
    upper = value + math.hypot(high_a - a.value, b.value - low_b)
    pooled = (a.value * a.n_effective + b.value * b.n_effective) / (a.n_effective + b.n_effective)
    pooled = min(max(pooled, 0.0), 1.0)
    se = math.sqrt(pooled * (1 - pooled) * (1 / a.n_effective + 1 / b.n_effective))
    lower, upper = _hull(value, lower, upper, -1.0, 1.0)
    return DifferenceResult(
        value=value,
        lower=lower,
        upper=upper,
        n=a.n + b.n,
        confidence=confidence,
        method="newcombe-hybrid-score",
        p_value=_two_sided_p(value, se),
        n_a=a.n,
        n_b=b.n,
    )
