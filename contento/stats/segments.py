"""Crosstabs and segment comparisons: chi-square, two-proportion and Welch tests, FDR control.

Everything works from counts and summary statistics (successes and totals, means with their
standard deviations), the shapes the rollups keep, so a dashboard never needs the raw answers.
Too little data raises :class:`~contento.stats.scores.NotEnoughData`; malformed input raises
ValueError. Results are frozen dataclasses with ``as_dict()`` and never contain NaN.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

from contento.stats.scores import (
    DifferenceResult,
    NotEnoughData,
    _as_floats,
    _z,
    mean_score,
    proportion,
    proportion_difference,
)

MEASURES = ("rate", "mean")

# Cochran, W. G. (1954) "Some methods for strengthening the common χ² tests", Biometrics
# 10(4):417–451: the χ² approximation is doubtful when expected counts fall below 5.
_SMALL_EXPECTED = 5.0


@dataclass(frozen=True, slots=True)
class CrosstabResult:
    """Pearson's χ² test of independence for an r × c table of counts.

    ``expected`` and ``residuals`` (adjusted standardized residuals) have the shape of the
    table. Rows or columns with no observations take no part in the test: their expected
    counts and residuals are 0 and ``df`` counts only the rows and columns that have data.
    ``low_expected`` is True when any expected count of the tested cells is below 5.
    """

    statistic: float
    df: int
    p_value: float
    n: int
    cramers_v: float
    observed: tuple[tuple[int, ...], ...]
    expected: tuple[tuple[float, ...], ...]
    residuals: tuple[tuple[float, ...], ...]
    min_expected: float
    cells_below_5: int
    low_expected: bool
    method: str

    def as_dict(self) -> dict[str, Any]:
        """Return the fields as a plain, JSON-serialisable dict."""
        return asdict(self)


@dataclass(frozen=True, slots=True)
class TwoProportionResult(DifferenceResult):
    """Rate a − rate b (0..1) with its interval, the pooled z statistic and its p-value."""

    z: float
    rate_a: float
    rate_b: float
    pooled: float


@dataclass(frozen=True, slots=True)
class WelchResult(DifferenceResult):
    """Mean a − mean b with Welch's t interval, statistic, degrees of freedom and p-value."""

    t: float
    df: float
    standard_error: float


@dataclass(frozen=True, slots=True)
class MultipleTestResult:
    """Benjamini–Hochberg adjusted p-values (q-values) and rejections, in input order.

    ``p_threshold`` is the largest p-value rejected (None when nothing is rejected).
    """

    p_values: tuple[float, ...]
    q_values: tuple[float, ...]
    rejected: tuple[bool, ...]
    n_rejected: int
    p_threshold: float | None
    alpha: float
    method: str

    def as_dict(self) -> dict[str, Any]:
        """Return the fields as a plain, JSON-serialisable dict."""
        return asdict(self)


@dataclass(frozen=True, slots=True)
class SegmentResult:
    """One segment against its baseline (the other segments pooled, or a reference segment).

    ``value``/``lower``/``upper``: the segment's rate (Wilson) or mean (t) with its interval;
    ``difference`` = value − baseline_value with its interval; ``p_value`` from the
    two-proportion z test or Welch's t test; ``q_value`` Benjamini–Hochberg adjusted across the
    segments compared; ``significant`` is q_value ≤ alpha.
    """

    name: str
    n: int
    value: float
    lower: float
    upper: float
    baseline_value: float
    baseline_n: int
    difference: float
    difference_lower: float
    difference_upper: float
    p_value: float
    q_value: float
    significant: bool

    def as_dict(self) -> dict[str, Any]:
        """Return the fields as a plain, JSON-serialisable dict."""
        return asdict(self)


@dataclass(frozen=True, slots=True)
class SegmentComparison:
    """Every segment compared to the rest (``reference`` None) or to the reference segment.

    ``skipped`` names the segments with too little data to compare (no answers for a rate,
    fewer than two for a mean, or no variance on either side of a Welch test).
    """

    measure: str
    reference: str | None
    segments: tuple[SegmentResult, ...]
    skipped: tuple[str, ...]
    n_significant: int
    alpha: float
    confidence: float
    method: str

    def as_dict(self) -> dict[str, Any]:
        """Return the fields as a plain, JSON-serialisable dict."""
        return asdict(self)


def _count(number: Any, name: str) -> int:
    """Return ``number`` as an int if it is a non-negative whole number, else raise."""
    if isinstance(number, bool):
        raise ValueError(f"{name} must be a non-negative integer; got {number!r}.")
    try:
        as_float = float(number)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a non-negative integer; got {number!r}.") from exc
    if not math.isfinite(as_float) or not as_float.is_integer() or as_float < 0:
        raise ValueError(f"{name} must be a non-negative integer; got {number!r}.")
    return int(as_float)


def _finite(number: Any, name: str) -> float:
    try:
        as_float = float(number)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a number; got {number!r}.") from exc
    if not math.isfinite(as_float):
        raise ValueError(f"{name} must be finite; got {number!r}.")
    return as_float


def _alpha(alpha: float) -> float:
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must be between 0 and 1 (exclusive); got {alpha}.")
    return float(alpha)


def crosstab_test(table: ArrayLike) -> CrosstabResult:
    """Return Pearson's χ² test of independence for a table of counts, cell by cell.

    X² = Σ (O − E)² / E with E = row total × column total / n, on (r − 1)(c − 1) degrees of
    freedom (Pearson, K. (1900) Philosophical Magazine 50(302):157–175; Fisher's df, 1922).
    Per cell, the adjusted standardized residual (O − E) / √(E (1 − rowᵢ/n)(1 − colⱼ/n)),
    approximately N(0, 1) under independence, so |r| > 2 or 3 marks the cells that drive the
    association (Haberman, S. J. (1973) Biometrics 29(1):205–220; Agresti, A. (2007) *An
    Introduction to Categorical Data Analysis*, 2nd ed., Wiley, §2.4.5). Effect size:
    Cramér's V = √(X² / (n (min(r, c) − 1))) (Cramér, H. (1946) *Mathematical Methods of
    Statistics*, p. 282). ``low_expected`` flags expected counts below 5 (Cochran 1954), where
    the χ² p-value is unreliable. Rows and columns with no observations are left out of the
    test; fewer than two non-empty rows or columns raises NotEnoughData.
    """
    try:
        array = np.asarray(table, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError("table must be a rectangular table of counts.") from exc
    if array.ndim != 2:
        raise ValueError("table must be two-dimensional (rows × columns).")
    if not np.isfinite(array).all() or (array < 0).any() or (array != np.round(array)).any():
        raise ValueError("table must hold non-negative integer counts.")
    counts = array.astype(np.int64)
    rows, columns = counts.sum(axis=1), counts.sum(axis=0)
    used_rows, used_columns = rows > 0, columns > 0
    if used_rows.sum() < 2 or used_columns.sum() < 2:
        raise NotEnoughData("A χ² test needs at least two rows and two columns with observations.")
    n = int(counts.sum())
    expected = np.outer(rows, columns) / n
    used = np.outer(used_rows, used_columns)
    statistic = float(((counts[used] - expected[used]) ** 2 / expected[used]).sum())
    df = int((used_rows.sum() - 1) * (used_columns.sum() - 1))
    variance = expected * np.outer(1 - rows / n, 1 - columns / n)
    residuals = np.zeros_like(expected)
    residuals[used] = (counts[used] - expected[used]) / np.sqrt(variance[used])
    k = int(min(used_rows.sum(), used_columns.sum()))
    return CrosstabResult(
        statistic=statistic,
        df=df,
        p_value=float(stats.chi2.sf(statistic, df)),
        n=n,
        cramers_v=min(1.0, math.sqrt(statistic / (n * (k - 1)))),
        observed=tuple(tuple(int(x) for x in row) for row in counts),
        expected=tuple(tuple(float(x) for x in row) for row in expected),
        residuals=tuple(tuple(float(x) for x in row) for row in residuals),
        min_expected=float(expected[used].min()),
        cells_below_5=int((expected[used] < _SMALL_EXPECTED).sum()),
        low_expected=bool((expected[used] < _SMALL_EXPECTED).any()),
        method="pearson",
    )


def two_proportion_test(
    x1: int, n1: int, x2: int, n2: int, *, confidence: float = 0.95
) -> TwoProportionResult:
    """Return the two-proportion z test of x1/n1 against x2/n2, with an interval.

    z = (p₁ − p₂) / √(p̄(1 − p̄)(1/n₁ + 1/n₂)) with the pooled p̄ = (x₁ + x₂)/(n₁ + n₂), the
    score test whose z² is Pearson's χ² for the 2×2 table (Agresti 2007, §2.4). The interval
    for p₁ − p₂ is Newcombe's hybrid score interval (method 10 of Newcombe 1998, Statistics
    in Medicine 17:873–890), as in :func:`~contento.stats.scores.proportion_difference`.
    When p̄ is 0 or 1 the two rates are equal and z = 0, p = 1. n = 0 on either side raises
    NotEnoughData.
    """
    a, b = proportion(x1, n1, confidence), proportion(x2, n2, confidence)
    difference = proportion_difference(a, b, confidence=confidence)
    pooled = (a.successes + b.successes) / (a.n + b.n)
    se = math.sqrt(pooled * (1 - pooled) * (1 / a.n + 1 / b.n))
    return TwoProportionResult(
        value=difference.value,
        lower=difference.lower,
        upper=difference.upper,
        n=difference.n,
        confidence=confidence,
        method=difference.method,
        p_value=difference.p_value,
        n_a=a.n,
        n_b=b.n,
        z=difference.value / se if se > 0 else 0.0,
        rate_a=a.value,
        rate_b=b.value,
        pooled=pooled,
    )


def welch_test(
    mean1: float,
    sd1: float,
    n1: int,
    mean2: float,
    sd2: float,
    n2: int,
    *,
    confidence: float = 0.95,
) -> WelchResult:
    """Return Welch's unequal-variance t test of mean1 − mean2 from summary statistics.

    t = (x̄₁ − x̄₂) / √(s₁²/n₁ + s₂²/n₂) on the Welch–Satterthwaite degrees of freedom
    ν = (s₁²/n₁ + s₂²/n₂)² / ((s₁²/n₁)²/(n₁ − 1) + (s₂²/n₂)²/(n₂ − 1)) (Welch, B. L. (1947)
    "The generalization of 'Student's' problem when several different population variances
    are involved", Biometrika 34(1/2):28–35; Satterthwaite, F. E. (1946) Biometrics Bulletin
    2(6):110–114); interval (x̄₁ − x̄₂) ± t(1 − α/2; ν) · se. ``sd1``/``sd2`` are sample
    standard deviations (n − 1 denominator), so a rollup's count, sum and sum of squares are
    enough. Fewer than two answers on a side, or no variance on both sides (t undefined),
    raise NotEnoughData.
    """
    _z(confidence)
    m1, m2 = _finite(mean1, "mean1"), _finite(mean2, "mean2")
    s1, s2 = _finite(sd1, "sd1"), _finite(sd2, "sd2")
    if s1 < 0 or s2 < 0:
        raise ValueError("Standard deviations must be non-negative.")
    size1, size2 = _count(n1, "n1"), _count(n2, "n2")
    if size1 < 2 or size2 < 2:
        raise NotEnoughData("A t test needs at least two answers in each group.")
    v1, v2 = s1 * s1 / size1, s2 * s2 / size2
    se = math.sqrt(v1 + v2)
    if se == 0:
        raise NotEnoughData("Both groups have zero variance, so the t statistic is undefined.")
    df = (v1 + v2) ** 2 / (v1 * v1 / (size1 - 1) + v2 * v2 / (size2 - 1))
    difference = m1 - m2
    t = difference / se
    half = float(stats.t.ppf(0.5 + confidence / 2, df)) * se
    return WelchResult(
        value=difference,
        lower=difference - half,
        upper=difference + half,
        n=size1 + size2,
        confidence=confidence,
        method="welch",
        p_value=float(min(1.0, 2 * stats.t.sf(abs(t), df))),
        n_a=size1,
        n_b=size2,
        t=t,
        df=df,
        standard_error=se,
    )


def welch_test_samples(a: ArrayLike, b: ArrayLike, *, confidence: float = 0.95) -> WelchResult:
    """Return Welch's t test of mean(a) − mean(b) from two arrays of raw answers.

    The same test as :func:`welch_test` (Welch 1947), after taking each sample's mean and
    standard deviation (n − 1 denominator).
    """
    first = mean_score(_as_floats(a, "a"))
    second = mean_score(_as_floats(b, "b"))
    return welch_test(
        first.value,
        first.std,
        first.n,
        second.value,
        second.std,
        second.n,
        confidence=confidence,
    )


def benjamini_hochberg(p_values: ArrayLike, alpha: float = 0.05) -> MultipleTestResult:
    """Return Benjamini–Hochberg q-values and the rejections that keep the FDR at alpha.

    Step-up procedure of Benjamini, Y. & Hochberg, Y. (1995) "Controlling the false discovery
    rate: a practical and powerful approach to multiple testing", JRSS B 57(1):289–300: with
    p₍₁₎ ≤ … ≤ p₍ₘ₎, reject H₍₁₎…H₍ₖ₎ for the largest k with p₍ₖ₎ ≤ k·alpha/m. The adjusted
    p-value (q-value) q₍ᵢ₎ = min over j ≥ i of min(1, m·p₍ⱼ₎/j) is monotone in p and capped at
    1; H is rejected exactly when q ≤ alpha (as R's ``p.adjust(method = "BH")``). The FDR is
    controlled for independent or positively dependent tests (Benjamini & Yekutieli 2001).
    An empty list gives an empty result.
    """
    alpha = _alpha(alpha)
    p = _as_floats(p_values, "p-values")
    if ((p < 0) | (p > 1)).any():
        raise ValueError("p-values must lie between 0 and 1.")
    m = len(p)
    order = np.argsort(p, kind="stable")
    scaled = p[order] * m / np.arange(1, m + 1)
    adjusted = np.minimum(np.minimum.accumulate(scaled[::-1])[::-1], 1.0)
    q = np.empty(m)
    q[order] = adjusted
    rejected = q <= alpha
    return MultipleTestResult(
        p_values=tuple(float(x) for x in p),
        q_values=tuple(float(x) for x in q),
        rejected=tuple(bool(x) for x in rejected),
        n_rejected=int(rejected.sum()),
        p_threshold=float(p[rejected].max()) if rejected.any() else None,
        alpha=alpha,
        method="benjamini-hochberg",
    )


class _Group:
    """A segment's summary: successes and n for a rate; mean, sd and n for a mean."""

    __slots__ = ("mean", "n", "sd", "successes")

    def __init__(self, n: int, successes: int = 0, mean: float = 0.0, sd: float = 0.0) -> None:
        self.n, self.successes, self.mean, self.sd = n, successes, mean, sd


def _group(name: str, entry: Any, measure: str) -> _Group:
    size = 2 if measure == "rate" else 3
    shape = "(successes, n)" if measure == "rate" else "(mean, sd, n)"
    if isinstance(entry, str | bytes) or np.ndim(entry) != 1 or len(entry) != size:
        raise ValueError(f"Segment {name!r}: a {measure} segment is given as {shape}.")
    if measure == "rate":
        successes, n = _count(entry[0], "successes"), _count(entry[1], "n")
        if successes > n:
            raise ValueError(f"Segment {name!r}: successes ({successes}) exceed n ({n}).")
        return _Group(n, successes=successes)
    mean, sd, n = _finite(entry[0], "mean"), _finite(entry[1], "sd"), _count(entry[2], "n")
    if sd < 0:
        raise ValueError(f"Segment {name!r}: the standard deviation must be non-negative.")
    return _Group(n, mean=mean, sd=sd if n > 1 else 0.0)


def _pool(groups: Sequence[_Group]) -> _Group:
    """Combine segments into one: counts add; means and SDs by the exact pooled formulas.

    Mean = Σnᵢx̄ᵢ/N; SD² = Σ((nᵢ − 1)sᵢ² + nᵢ(x̄ᵢ − x̄)²)/(N − 1), the SD of all the answers.
    """
    groups = [g for g in groups if g.n > 0]
    n = sum(g.n for g in groups)
    if n == 0:
        return _Group(0)
    successes = sum(g.successes for g in groups)
    mean = sum(g.n * g.mean for g in groups) / n
    squares = sum((g.n - 1) * g.sd**2 + g.n * (g.mean - mean) ** 2 for g in groups)
    sd = math.sqrt(squares / (n - 1)) if n > 1 else 0.0
    return _Group(n, successes=successes, mean=mean, sd=sd)


def _t_interval(group: _Group, confidence: float) -> tuple[float, float]:
    half = float(stats.t.ppf(0.5 + confidence / 2, group.n - 1)) * group.sd / math.sqrt(group.n)
    return group.mean - half, group.mean + half


def compare_segments(
    segments: Mapping[str, Sequence[float]],
    *,
    measure: str = "rate",
    reference: str | None = None,
    alpha: float = 0.05,
    confidence: float = 0.95,
) -> SegmentComparison:
    """Return each segment's rate or mean compared to the rest (or a reference), BH-adjusted.

    ``segments`` maps a segment name to ``(successes, n)`` for ``measure="rate"`` or to
    ``(mean, sd, n)`` for ``measure="mean"``. Without ``reference`` each segment is compared
    to all the other segments pooled ("the rest"); with it, each other segment is compared to
    the reference segment. Rates: Wilson interval per segment and the pooled two-proportion
    z test (:func:`two_proportion_test`); means: t interval per segment and Welch's t test
    (:func:`welch_test`), the rest's mean and SD pooled exactly from the summaries. The
    p-values are adjusted across the compared segments by Benjamini & Hochberg (1995), so
    that on a dashboard of many segments the expected share of false alarms among the
    flagged ones stays near alpha (BH's guarantee is proven for independent or positively
    dependent tests; comparisons against the rest share data, so treat it as approximate).
    Segments with too little data are listed in ``skipped``; if none can be compared,
    NotEnoughData is raised.
    """
    if measure not in MEASURES:
        raise ValueError(f"measure must be one of {MEASURES}; got {measure!r}.")
    alpha = _alpha(alpha)
    _z(confidence)
    if not isinstance(segments, Mapping):
        raise TypeError("segments must be a mapping {name: summary}.")
    groups = {str(name): _group(str(name), entry, measure) for name, entry in segments.items()}
    if reference is not None and reference not in groups:
        raise ValueError(f"reference {reference!r} is not one of the segments.")
    minimum = 1 if measure == "rate" else 2
    if reference is not None and groups[reference].n < minimum:
        raise NotEnoughData(f"The reference segment {reference!r} has too few answers.")

    rows: list[dict[str, Any]] = []
    skipped: list[str] = []
    for name, group in groups.items():
        if name == reference:
            continue
        if reference is None:
            baseline = _pool([other for key, other in groups.items() if key != name])
        else:
            baseline = groups[reference]
        if group.n < minimum or baseline.n < minimum:
            skipped.append(name)
            continue
        if measure == "rate":
            estimate = proportion(group.successes, group.n, confidence)
            test: DifferenceResult = two_proportion_test(
                group.successes, group.n, baseline.successes, baseline.n, confidence=confidence
            )
            value, (lower, upper) = estimate.value, (estimate.lower, estimate.upper)
            baseline_value = baseline.successes / baseline.n
        else:
            try:
                test = welch_test(
                    group.mean,
                    group.sd,
                    group.n,
                    baseline.mean,
                    baseline.sd,
                    baseline.n,
                    confidence=confidence,
                )
            except NotEnoughData:
                skipped.append(name)
                continue
            value, (lower, upper) = group.mean, _t_interval(group, confidence)
            baseline_value = baseline.mean
        rows.append(
            {
                "name": name,
                "n": group.n,
                "value": value,
                "lower": lower,
                "upper": upper,
                "baseline_value": baseline_value,
                "baseline_n": baseline.n,
                "difference": test.value,
                "difference_lower": test.lower,
                "difference_upper": test.upper,
                "p_value": test.p_value,
            }
        )
    if not rows:
        raise NotEnoughData("No segment has enough answers, on both sides, to compare.")
    adjusted = benjamini_hochberg([row["p_value"] for row in rows], alpha)
    results = tuple(
        SegmentResult(**row, q_value=q, significant=rejected)
        for row, q, rejected in zip(rows, adjusted.q_values, adjusted.rejected, strict=True)
    )
    return SegmentComparison(
        measure=measure,
        reference=reference,
        segments=results,
        skipped=tuple(skipped),
        n_significant=adjusted.n_rejected,
        alpha=alpha,
        confidence=confidence,
        method="two-proportion-z" if measure == "rate" else "welch",
    )
