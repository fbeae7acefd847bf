"""Satisfaction → loyalty: renewal rate and revenue by satisfaction level, and a logistic fit.

Joins what customers said (a satisfaction level per customer) with what they did (renewed
or repurchased, revenue). :func:`loyalty_by_level` tabulates each level with intervals;
:func:`logistic_renewal` fits P(renewal) = 1 / (1 + e^−(β₀ + β₁·level)) by Newton–Raphson
with numpy alone and reports the odds ratio per point of satisfaction. A fit that does not
exist (one class, no spread in satisfaction, perfect separation) raises NotEnoughData
instead of returning infinite or NaN coefficients.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy import special, stats

from contento.stats.scores import (
    Estimate,
    MeanResult,
    NotEnoughData,
    ProportionResult,
    _as_floats,
    _z,
    mean_score,
    proportion,
)


@dataclass(frozen=True, slots=True)
class LevelLoyalty:
    """One satisfaction level: customers, renewals, the renewal rate and mean revenue.

    ``revenue`` is None when no revenue was given or fewer than two customers have this
    level (a t interval needs two).
    """

    level: float
    n: int
    renewed: int
    rate: ProportionResult
    revenue: MeanResult | None


@dataclass(frozen=True, slots=True)
class LoyaltyTable:
    """Renewal and revenue per satisfaction level, in ascending level, and overall."""

    levels: tuple[LevelLoyalty, ...]
    overall: ProportionResult
    n: int
    confidence: float

    def as_dict(self) -> dict[str, Any]:
        """Return the fields as a plain, JSON-serialisable dict."""
        return asdict(self)


@dataclass(frozen=True, slots=True)
class LogisticResult:
    """Logistic regression of renewal on satisfaction: logit P = intercept + slope·level.

    Standard errors are √diag of ``covariance``, the inverse Fisher information at the
    estimate; z and p are Wald's. ``odds_ratio`` = e^slope is the multiplicative change in
    the odds of renewal per point of satisfaction, with its interval. ``deviance`` and
    ``null_deviance`` are −2 log-likelihood of the fit and of the intercept-only model.
    ``n`` counts the rows with positive weight, ``total_weight`` their weights (the number
    of customers when the weights are frequencies; equal to n without weights).
    """

    intercept: float
    slope: float
    intercept_se: float
    slope_se: float
    intercept_z: float
    slope_z: float
    intercept_p_value: float
    slope_p_value: float
    odds_ratio: float
    odds_ratio_lower: float
    odds_ratio_upper: float
    covariance: tuple[tuple[float, float], tuple[float, float]]
    deviance: float
    null_deviance: float
    n: int
    total_weight: float
    iterations: int
    confidence: float
    method: str

    def predict(self, level: float) -> float:
        """Return the fitted probability of renewal at satisfaction ``level``."""
        return float(special.expit(self.intercept + self.slope * float(level)))

    def predict_interval(self, level: float) -> Estimate:
        """Return the fitted probability at ``level`` with its Wald interval on the logit.

        η = β₀ + β₁x, Var η = Var β₀ + x² Var β₁ + 2x Cov(β₀, β₁); the interval
        expit(η ± z√Var η) stays inside 0..1 (e.g. Hosmer, Lemeshow & Sturdivant (2013)
        *Applied Logistic Regression*, 3rd ed., Wiley, §1.4).
        """
        x = float(level)
        if not math.isfinite(x):
            raise ValueError(f"level must be finite; got {level!r}.")
        (v00, v01), (_, v11) = self.covariance
        eta = self.intercept + self.slope * x
        half = _z(self.confidence) * math.sqrt(max(v00 + x * x * v11 + 2 * x * v01, 0.0))
        return Estimate(
            value=float(special.expit(eta)),
            lower=float(special.expit(eta - half)),
            upper=float(special.expit(eta + half)),
            n=self.n,
            confidence=self.confidence,
            method="logit-wald",
        )

    def as_dict(self) -> dict[str, Any]:
        """Return the fields as a plain, JSON-serialisable dict."""
        return asdict(self)


def _outcomes(renewed: ArrayLike) -> np.ndarray:
    y = _as_floats(renewed, "renewed")
    if ((y != 0) & (y != 1)).any():
        raise ValueError("renewed must hold 0/1 or True/False per customer.")
    return y


def _number(level: float) -> float:
    """Show whole levels as ints (5, not 5.0) in results and JSON."""
    return int(level) if float(level).is_integer() else float(level)


def loyalty_by_level(
    levels: ArrayLike,
    renewed: ArrayLike,
    revenue: ArrayLike | None = None,
    *,
    confidence: float = 0.95,
) -> LoyaltyTable:
    """Return the renewal rate and mean revenue per customer for each satisfaction level.

    One entry per customer: ``levels`` (their satisfaction, any numbers), ``renewed`` (0/1
    or bool: renewed or repurchased) and optionally ``revenue``. Per level, the renewal rate
    with its Wilson (1927) score interval (:func:`~contento.stats.scores.proportion`) and the
    mean revenue with its Student (1908) t interval
    (:func:`~contento.stats.scores.mean_score`). No customers raises NotEnoughData.
    """
    _z(confidence)
    x = _as_floats(levels, "levels")
    y = _outcomes(renewed)
    money = None if revenue is None else _as_floats(revenue, "revenue")
    if len(y) != len(x) or (money is not None and len(money) != len(x)):
        raise ValueError("levels, renewed and revenue must have one entry per customer.")
    if len(x) == 0:
        raise NotEnoughData("No customers to compute from.")
    rows = []
    for level in np.unique(x).tolist():
        here = x == level
        size, renewals = int(here.sum()), int(y[here].sum())
        spend = None
        if money is not None and size >= 2:
            spend = mean_score(money[here], confidence=confidence)
        rows.append(
            LevelLoyalty(
                level=_number(level),
                n=size,
                renewed=renewals,
                rate=proportion(renewals, size, confidence),
                revenue=spend,
            )
        )
    return LoyaltyTable(
        levels=tuple(rows),
        overall=proportion(int(y.sum()), len(y), confidence),
        n=len(y),
        confidence=confidence,
    )


def _log_likelihood(eta: np.ndarray, y: np.ndarray, w: np.ndarray) -> float:
    # log L = Σ w (y η − log(1 + e^η)); logaddexp keeps it finite for large |η|.
    return float(w @ (y * eta - np.logaddexp(0.0, eta)))


def _newton_raphson(
    design: np.ndarray, y: np.ndarray, w: np.ndarray, max_iterations: int
) -> tuple[np.ndarray, float, int]:
    """Return the maximum-likelihood β, its log-likelihood and the iterations taken.

    β ← β + (XᵀWX)⁻¹Xᵀw(y − μ), halving the step while it would lower the log-likelihood.
    """
    beta = np.zeros(design.shape[1])
    loglik = _log_likelihood(design @ beta, y, w)
    for iteration in range(1, max_iterations + 1):
        mu = special.expit(design @ beta)
        information = design.T @ (design * (w * mu * (1 - mu))[:, None])
        step = np.linalg.solve(information, design.T @ (w * (y - mu)))
        for _ in range(60):  # the log-likelihood is concave, so a short enough step gains
            new_loglik = _log_likelihood(design @ (beta + step), y, w)
            if new_loglik >= loglik - 1e-12 * abs(loglik):
                break
            step = step / 2
        beta, previous, loglik = beta + step, loglik, new_loglik
        if np.all(np.abs(step) <= 1e-10 * (1 + np.abs(beta))) or loglik == previous:
            return beta, loglik, iteration
    raise NotEnoughData("The fit did not converge; the data are too close to separation.")


def logistic_renewal(
    satisfaction: ArrayLike,
    renewed: ArrayLike,
    weights: ArrayLike | None = None,
    *,
    confidence: float = 0.95,
    max_iterations: int = 100,
) -> LogisticResult:
    """Return the logistic regression of renewal on satisfaction, fitted by Newton–Raphson.

    Maximum likelihood for logit P(renewed) = β₀ + β₁·satisfaction by Newton–Raphson, which
    for the logistic model is Fisher scoring / iteratively reweighted least squares
    (Nelder, J. A. & Wedderburn, R. W. M. (1972) "Generalized linear models", JRSS A
    135(3):370–384; McCullagh, P. & Nelder, J. A. (1989) *Generalized Linear Models*, 2nd ed.),
    with step halving so the log-likelihood never decreases. Standard errors from the
    inverse Fisher information (XᵀWX)⁻¹, Wald z = β/se, two-sided normal p, odds ratio
    e^β₁ with interval e^(β₁ ± z·se) (Hosmer, Lemeshow & Sturdivant 2013, ch. 1–3).
    ``weights`` are frequency weights (customers sharing a row), as R's ``glm(weights=)``.

    The estimate exists only if the two classes overlap in satisfaction (Albert, A. &
    Anderson, J. A. (1984) "On the existence of maximum likelihood estimates in logistic
    regression models", Biometrika 71(1):1–10). With one predictor that fails exactly when
    every renewed customer scored at least as high as every non-renewed one (or at most as
    high), including a single class or a single satisfaction value; each case raises
    NotEnoughData rather than returning an infinite slope.
    """
    _z(confidence)
    x = _as_floats(satisfaction, "satisfaction")
    y = _outcomes(renewed)
    w = np.ones_like(x) if weights is None else _as_floats(weights, "weights")
    if not len(x) == len(y) == len(w):
        raise ValueError("satisfaction, renewed and weights must have one entry per customer.")
    if (w < 0).any():
        raise ValueError("Weights must be non-negative.")
    keep = w > 0
    x, y, w = x[keep], y[keep], w[keep]
    if len(x) == 0:
        raise NotEnoughData("No customers to fit (empty, or every weight is 0).")
    stayed, left = x[y == 1], x[y == 0]
    if len(stayed) == 0 or len(left) == 0:
        which = "renewed" if len(left) == 0 else "did not renew"
        raise NotEnoughData(f"Every customer {which}; the fit needs both outcomes.")
    if np.ptp(x) == 0:
        raise NotEnoughData("Every customer has the same satisfaction; there is no slope.")
    if left.max() <= stayed.min() or stayed.max() <= left.min():
        raise NotEnoughData(
            "Satisfaction separates renewals perfectly (every renewed customer scored at "
            "least as high as every other, or at most as high), so the slope is infinite."
        )

    # Fit on centred satisfaction, which keeps XᵀWX well conditioned, then map back:
    # β = T·a with T = [[1, −x̄], [0, 1]], so Cov β = T Cov(a) Tᵀ.
    centre = float(w @ x / w.sum())
    design = np.column_stack([np.ones_like(x), x - centre])
    try:
        fitted, loglik, iterations = _newton_raphson(design, y, w, max_iterations)
        mu = special.expit(design @ fitted)
        information = design.T @ (design * (w * mu * (1 - mu))[:, None])
        transform = np.array([[1.0, -centre], [0.0, 1.0]])
        covariance = transform @ np.linalg.inv(information) @ transform.T
    except np.linalg.LinAlgError as exc:
        raise NotEnoughData(
            "The fit is numerically singular; the data are too close to separation."
        ) from exc
    beta = transform @ fitted
    variances = np.diag(covariance)
    if not (np.isfinite(covariance).all() and np.isfinite(beta).all() and (variances > 0).all()):
        raise NotEnoughData("The fit is numerically unstable; rescale satisfaction.")
    se = np.sqrt(variances)
    z_values = beta / se
    p_values = 2 * stats.norm.sf(np.abs(z_values))
    z = _z(confidence)
    mean = float(w @ y / w.sum())
    null_deviance = -2 * float(w @ (y * math.log(mean) + (1 - y) * math.log1p(-mean)))
    if abs(beta[1]) + z * se[1] > 700:  # e^710 overflows a float
        raise NotEnoughData("The fit is numerically unstable; rescale satisfaction.")
    return LogisticResult(
        intercept=float(beta[0]),
        slope=float(beta[1]),
        intercept_se=float(se[0]),
        slope_se=float(se[1]),
        intercept_z=float(z_values[0]),
        slope_z=float(z_values[1]),
        intercept_p_value=float(p_values[0]),
        slope_p_value=float(p_values[1]),
        odds_ratio=math.exp(beta[1]),
        odds_ratio_lower=math.exp(beta[1] - z * se[1]),
        odds_ratio_upper=math.exp(beta[1] + z * se[1]),
        covariance=(
            (float(covariance[0, 0]), float(covariance[0, 1])),
            (float(covariance[1, 0]), float(covariance[1, 1])),
        ),
        deviance=-2 * loglik,
        null_deviance=null_deviance,
        n=len(x),
        total_weight=float(w.sum()),
        iterations=iterations,
        confidence=confidence,
        method="irls",
    )
