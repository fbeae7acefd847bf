"""Trend monitoring with control charts: is this period's score a real drop or noise?

Two charts from statistical process control, both fed with one number per period (a day, a
week, a survey wave): the p chart for a rate from per-period successes and totals, and the
EWMA chart for any per-period value (a mean score, an NPS, a rate), which accumulates
evidence and so sees small sustained shifts sooner. :func:`significant_drop` turns either
chart into a verdict on the latest period. Periods are numbered from 0 in input order.
Results are frozen dataclasses with ``as_dict()`` and never contain NaN.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from contento.stats.scores import NotEnoughData, _as_floats

# d₂ for moving ranges of two observations: E|X₁ − X₂| = 2σ/√π ≈ 1.128σ, so σ̂ = MR̄ / d₂, the
# usual estimator of σ from one value per period (Montgomery 2009, §6.4).
_D2 = 2 / math.sqrt(math.pi)


@dataclass(frozen=True, slots=True)
class PChartPoint:
    """One period of a p chart. A period with no answers has rate and limits None."""

    period: int
    successes: int
    n: int
    rate: float | None
    lower: float | None
    upper: float | None
    below: bool
    above: bool


@dataclass(frozen=True, slots=True)
class PChartResult:
    """A p chart: centre line p̄, per-period limits, and the periods outside them.

    ``below``/``above`` list the periods whose rate falls under the lower or over the upper
    limit; ``baseline_periods`` is how many leading periods estimated p̄ (0 when given).
    """

    center: float
    L: float
    points: tuple[PChartPoint, ...]
    below: tuple[int, ...]
    above: tuple[int, ...]
    baseline_periods: int
    method: str

    def as_dict(self) -> dict[str, Any]:
        """Return the fields as a plain, JSON-serialisable dict."""
        return asdict(self)


@dataclass(frozen=True, slots=True)
class EWMAPoint:
    """One period of an EWMA chart: the observed value, the EWMA and its limits."""

    period: int
    value: float
    ewma: float
    lower: float
    upper: float
    below: bool
    above: bool


@dataclass(frozen=True, slots=True)
class EWMAResult:
    """An EWMA chart: target μ₀, σ, the smoothing constant λ and width L, and the signals.

    ``sigma_method`` is ``"given"`` or ``"moving-range"`` (estimated from the data).
    """

    target: float
    sigma: float
    sigma_method: str
    lam: float
    L: float
    points: tuple[EWMAPoint, ...]
    below: tuple[int, ...]
    above: tuple[int, ...]
    baseline_periods: int
    method: str

    def as_dict(self) -> dict[str, Any]:
        """Return the fields as a plain, JSON-serialisable dict."""
        return asdict(self)


@dataclass(frozen=True, slots=True)
class DropVerdict:
    """The latest period of a chart: its statistic against the lower limit.

    ``statistic`` is the period's rate (p chart) or EWMA (EWMA chart); ``dropped`` is True
    when it lies below ``lower``, a drop unlikely to be noise.
    """

    period: int
    statistic: float
    lower: float
    upper: float
    center: float
    dropped: bool
    method: str

    def as_dict(self) -> dict[str, Any]:
        """Return the fields as a plain, JSON-serialisable dict."""
        return asdict(self)


def _width(L: float) -> float:
    if not (math.isfinite(L) and L > 0):
        raise ValueError(f"L (the width of the limits in sigmas) must be positive; got {L}.")
    return float(L)


def _baseline(baseline: int | None, periods: int) -> int:
    if baseline is None:
        return periods
    if isinstance(baseline, bool) or not isinstance(baseline, int | np.integer):
        raise ValueError(f"baseline must be a number of periods; got {baseline!r}.")
    if not 1 <= baseline <= periods:
        raise ValueError(f"baseline must be between 1 and {periods} periods; got {baseline}.")
    return int(baseline)


def _counts(data: ArrayLike, name: str) -> np.ndarray:
    array = _as_floats(data, name)
    if ((array < 0) | (array != np.round(array))).any():
        raise ValueError(f"{name} must be non-negative integers.")
    return array.astype(np.int64)


def p_chart(
    successes: ArrayLike,
    totals: ArrayLike,
    *,
    L: float = 3.0,
    center: float | None = None,
    baseline: int | None = None,
) -> PChartResult:
    """Return a p chart of per-period rates with variable limits, flagging drops and rises.

    Montgomery, D. C. (2009) *Introduction to Statistical Quality Control*, 6th ed., Wiley,
    §7.2 (control chart for fraction nonconforming, variable sample size): centre line
    p̄ = Σxᵢ / Σnᵢ, limits p̄ ± L·√(p̄(1 − p̄)/nᵢ) for each period (L = 3 by default),
    clipped to [0, 1]. A rate strictly below the lower limit is a significant drop, above
    the upper a significant rise. ``center`` gives a known or target rate instead of p̄;
    ``baseline`` estimates p̄ from the first ``baseline`` periods only (a Phase I period),
    so that the change being monitored does not pull the centre line towards itself.
    Periods with no answers are kept, with rate and limits None. Estimating p̄ needs at
    least two periods with answers (NotEnoughData otherwise).
    """
    width = _width(L)
    if center is not None and baseline is not None:
        raise TypeError("Pass center or baseline, not both.")
    x, n = _counts(successes, "successes"), _counts(totals, "totals")
    if x.shape != n.shape:
        raise ValueError("successes and totals must have one entry per period.")
    if len(x) == 0:
        raise NotEnoughData("A p chart needs at least one period.")
    if (x > n).any():
        raise ValueError("successes cannot exceed totals in any period.")
    used = _baseline(baseline, len(x)) if center is None else 0
    if center is None:
        if (n[:used] > 0).sum() < 2:
            raise NotEnoughData(
                "Estimating the centre line needs at least two periods with answers."
            )
        p_bar = float(x[:used].sum() / n[:used].sum())
    else:
        p_bar = float(center)
        if not 0.0 <= p_bar <= 1.0:
            raise ValueError(f"center must be a rate between 0 and 1; got {center}.")
    points = []
    for period, (hits, size) in enumerate(zip(x.tolist(), n.tolist(), strict=True)):
        if size == 0:
            points.append(PChartPoint(period, 0, 0, None, None, None, False, False))
            continue
        rate = hits / size
        half = width * math.sqrt(p_bar * (1 - p_bar) / size)
        lower, upper = max(0.0, p_bar - half), min(1.0, p_bar + half)
        points.append(
            PChartPoint(period, hits, size, rate, lower, upper, rate < lower, rate > upper)
        )
    return PChartResult(
        center=p_bar,
        L=width,
        points=tuple(points),
        below=tuple(p.period for p in points if p.below),
        above=tuple(p.period for p in points if p.above),
        baseline_periods=used,
        method="p-chart",
    )


def ewma_chart(
    values: ArrayLike,
    *,
    lam: float = 0.2,
    L: float = 3.0,
    target: float | None = None,
    sigma: float | None = None,
    baseline: int | None = None,
) -> EWMAResult:
    """Return an EWMA chart of per-period values with exact time-varying limits.

    zᵢ = λxᵢ + (1 − λ)zᵢ₋₁ with z₀ = μ₀ (Roberts, S. W. (1959) "Control chart tests based on
    geometric moving averages", Technometrics 1(3):239–250); limits
    μ₀ ± Lσ√(λ/(2 − λ)·(1 − (1 − λ)²ⁱ)) for period i = 1, 2, … (Lucas, J. M. & Saccucci,
    M. S. (1990) "Exponentially weighted moving average control schemes: properties and
    enhancements", Technometrics 32(1):1–12, who tabulate run lengths for choosing λ and L;
    λ in 0.05..0.25 with L = 3 is the usual choice). An EWMA below its lower limit is a drop.
    ``target`` defaults to the mean of the baseline values and ``sigma`` (the SD of one
    period's value) to the average moving range / 1.128 (Montgomery 2009, §6.4); for a rate
    with similar totals n per period you may pass σ = √(p₀(1 − p₀)/n). ``baseline`` limits
    the estimates to the first periods (Phase I). Estimating σ needs two values that differ.
    """
    if not (math.isfinite(lam) and 0.0 < lam <= 1.0):
        raise ValueError(f"lam (the EWMA weight λ) must be in (0, 1]; got {lam}.")
    width = _width(L)
    if target is not None and sigma is not None and baseline is not None:
        raise TypeError("baseline estimates target or sigma; both are given.")
    x = _as_floats(values, "values")
    if len(x) == 0:
        raise NotEnoughData("An EWMA chart needs at least one period.")
    used = _baseline(baseline, len(x)) if target is None or sigma is None else 0
    mu = float(np.mean(x[:used])) if target is None else float(target)
    if not math.isfinite(mu):
        raise ValueError(f"target must be finite; got {target}.")
    if sigma is None:
        if used < 2:
            raise NotEnoughData("Estimating sigma needs at least two periods; pass sigma=.")
        s = float(np.mean(np.abs(np.diff(x[:used])))) / _D2
        if s == 0:
            raise NotEnoughData("The values do not vary, so sigma cannot be estimated; pass it.")
        sigma_method = "moving-range"
    else:
        s = float(sigma)
        if not (math.isfinite(s) and s > 0):
            raise ValueError(f"sigma must be positive; got {sigma}.")
        sigma_method = "given"
    points = []
    z = mu
    for period, value in enumerate(x.tolist()):
        z += lam * (value - z)  # = λx + (1 − λ)z, exact when x equals z
        half = width * s * math.sqrt(lam / (2 - lam) * (1 - (1 - lam) ** (2 * (period + 1))))
        lower, upper = mu - half, mu + half
        points.append(EWMAPoint(period, value, z, lower, upper, z < lower, z > upper))
    return EWMAResult(
        target=mu,
        sigma=s,
        sigma_method=sigma_method,
        lam=float(lam),
        L=width,
        points=tuple(points),
        below=tuple(p.period for p in points if p.below),
        above=tuple(p.period for p in points if p.above),
        baseline_periods=used,
        method="ewma",
    )


def significant_drop(chart: PChartResult | EWMAResult) -> DropVerdict:
    """Return whether the chart's latest period is a significant drop (below its limit).

    The verdict of :func:`p_chart` (Montgomery 2009, §7.2) or :func:`ewma_chart` (Roberts
    1959; Lucas & Saccucci 1990) for the last period. If the latest p-chart period has no
    answers there is nothing to judge and NotEnoughData is raised.
    """
    if isinstance(chart, PChartResult):
        last = chart.points[-1]
        if last.rate is None or last.lower is None or last.upper is None:
            raise NotEnoughData("The latest period has no answers.")
        return DropVerdict(
            period=last.period,
            statistic=last.rate,
            lower=last.lower,
            upper=last.upper,
            center=chart.center,
            dropped=last.below,
            method=chart.method,
        )
    if isinstance(chart, EWMAResult):
        point = chart.points[-1]
        return DropVerdict(
            period=point.period,
            statistic=point.ewma,
            lower=point.lower,
            upper=point.upper,
            center=chart.target,
            dropped=point.below,
            method=chart.method,
        )
    raise TypeError("significant_drop() takes the result of p_chart() or ewma_chart().")
