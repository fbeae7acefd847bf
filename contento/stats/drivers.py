"""Key-driver analysis: how much of an outcome's variance each item rating accounts for.

The outcome ``y`` (overall satisfaction, likelihood to recommend, to repurchase) is regressed
on k item ratings ``X``, and the model's R² is split into one non-negative share per item:

* :func:`relative_weights`: Johnson's (2000) relative weights;
* :func:`shapley_r2`: the LMG / Shapley value decomposition, as R's relaimpo ``type="lmg"``;
* :func:`dominance`: Budescu's (1993) dominance analysis, whose general dominance weights are
  the LMG values, with complete, conditional and general dominance between every two items.

All three need only the correlation matrix of [X, y]. Pass raw rows (``X`` respondents × items,
``y`` one outcome per row, optional case ``weights``; NaN or None marks a missing answer) or a
:class:`CovarianceSummary` of sufficient statistics, which a database can keep for millions of
answers and combine with :meth:`CovarianceSummary.merge`. Missing answers are deleted
``"listwise"`` (default: only rows that answered every item and the outcome) or
``"pairwise"`` (each correlation from the rows that answered both, as R's
``cor(use = "pairwise.complete.obs")``). Percentile bootstrap intervals resample rows, so they
need raw rows, not a summary.

Too few answers, an item or outcome with one answer from everybody, or an inconsistent
pairwise correlation matrix raise :class:`NotEnoughData`. Collinear items are not an error:
every R² is computed with the pseudo-inverse of the items' correlation matrix, which gives
the unique R² of the projection on the items' span, and duplicated items share their
importance equally. Results never contain NaN.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from contento.stats.scores import NotEnoughData

MISSING = ("listwise", "pairwise")
MAX_SUBSET_ITEMS = 15  # 2^15 = 32,768 subset regressions; each further item doubles the work

# A column whose centred sum of squares is below this fraction of its raw sum of squares
# (sd / |mean| < 1e-6) is constant: what remains is rounding, e.g. from raw database moments.
_ZERO_VARIANCE = 1e-12
# Eigenvalues of a correlation matrix below this fraction of the largest are collinear
# directions: the pseudo-inverse drops them instead of dividing by rounding noise.
_RANK_TOLERANCE = 1e-10
# Contributions to R² closer than this are ties, so dominance does not hinge on rounding.
_TIE = 1e-12
# A pairwise correlation matrix with an eigenvalue below this is no correlation matrix at all.
_NOT_PSD = -1e-8

Core = Callable[[np.ndarray, np.ndarray], np.ndarray]
_MATRICES = ("pair_counts", "pair_weights", "pair_means", "pair_squares", "comoments")


@dataclass(frozen=True, slots=True, eq=False)
class CovarianceSummary:
    """Sufficient statistics of the table [X, y] (items first, the outcome last column).

    For every pair of columns (i, j), over the rows that answered both (under listwise
    deletion: the complete rows, the same for every pair), it keeps ``pair_counts[i, j]``
    rows, ``pair_weights[i, j]`` = Σw, ``pair_means[i, j]`` the weighted mean of column i,
    ``pair_squares[i, j]`` = Σw(zᵢ − pair_means[i, j])² and ``comoments[i, j]`` =
    Σw(zᵢ − pair_means[i, j])(zⱼ − pair_means[j, i]). Listwise, that is n, Σw, the mean vector
    and the centred cross-product matrix. Sums about the mean, not raw sums, keep
    :meth:`merge` exact and stable (Chan, T. F., Golub, G. H. & LeVeque, R. J. (1979)
    "Updating formulae and a pairwise algorithm for computing sample variances", Stanford
    report STAN-CS-79-773; for co-moments Pébay, P. (2008), Sandia report SAND2008-6212).
    ``n_missing`` counts rows with at least one missing answer (dropped if listwise).
    """

    missing: str
    pair_counts: np.ndarray
    pair_weights: np.ndarray
    pair_means: np.ndarray
    pair_squares: np.ndarray
    comoments: np.ndarray
    n_missing: int = 0

    def __post_init__(self) -> None:
        if self.missing not in MISSING:
            raise ValueError(f"missing must be one of {MISSING}; got {self.missing!r}.")
        for name in _MATRICES:
            array = np.array(
                getattr(self, name), dtype=np.int64 if name == "pair_counts" else float
            )
            array.setflags(write=False)
            object.__setattr__(self, name, array)
        p = self.comoments.shape[0] if self.comoments.ndim == 2 else 0
        if p < 2 or {getattr(self, name).shape for name in _MATRICES} != {(p, p)}:
            raise ValueError("A summary's matrices must all be p × p over [X, y], p ≥ 2.")

    @classmethod
    def from_data(
        cls,
        X: ArrayLike,
        y: ArrayLike,
        weights: ArrayLike | None = None,
        missing: str = "listwise",
    ) -> CovarianceSummary:
        """Return the summary of raw rows; NaN or None marks a missing answer."""
        table, row_weights = _rows(X, y, weights, allow_empty=True)
        return _summarise(table, row_weights, missing)

    @classmethod
    def from_moments(
        cls,
        n: int,
        sums: ArrayLike,
        cross_products: ArrayLike,
        *,
        weight_total: float | None = None,
    ) -> CovarianceSummary:
        """Return the summary of n complete rows from raw moments Σwz and Σwzzᵀ of z = [x, y].

        These are the sums a database can keep up to date row by row. ``weight_total`` is Σw
        (default n: unweighted). Raw moments lose precision when the answers' mean is large
        next to their spread; subtracting a constant (e.g. the scale's midpoint) from every
        column before summing avoids that and changes no correlation.
        """
        if isinstance(n, bool) or not float(n).is_integer() or n < 0:
            raise ValueError(f"n must be a non-negative integer; got {n!r}.")
        first = _finite(sums, "sums")
        second = _finite(cross_products, "cross_products")
        p = first.shape[0] if first.ndim == 1 else 0
        if p < 2 or second.shape != (p, p):
            raise ValueError("sums must have p ≥ 2 entries and cross_products be p × p.")
        if not np.allclose(second, second.T, rtol=1e-12, atol=0):
            raise ValueError("cross_products must be symmetric.")
        total = float(n) if weight_total is None else float(weight_total)
        if not math.isfinite(total) or total < 0 or (total > 0) != (n > 0):
            raise ValueError("weight_total must be finite, positive exactly when n > 0.")
        mean = first / total if total > 0 else np.zeros(p)
        centred = (second + second.T) / 2 - total * np.outer(mean, mean)
        diagonal = np.diag(centred)
        if (diagonal < -1e-9 * np.maximum(np.diag(second), 1e-300)).any():
            raise ValueError("cross_products are inconsistent with sums (negative variance).")
        np.fill_diagonal(centred, np.maximum(diagonal, 0.0))
        return cls(
            missing="listwise",
            pair_counts=np.full((p, p), int(n)),
            pair_weights=np.full((p, p), total),
            pair_means=np.repeat(mean[:, None], p, axis=1),
            pair_squares=np.repeat(np.diag(centred)[:, None], p, axis=1),
            comoments=centred,
        )

    def merge(self, other: CovarianceSummary) -> CovarianceSummary:
        """Return the summary of both summaries' rows together (Chan et al. 1979 update)."""
        if not isinstance(other, CovarianceSummary):
            raise TypeError("merge() combines two CovarianceSummary values.")
        if other.missing != self.missing or other.comoments.shape != self.comoments.shape:
            raise ValueError("Only summaries of the same columns and missing= can be merged.")
        total = self.pair_weights + other.pair_weights
        positive = total > 0
        share = np.divide(other.pair_weights, total, out=np.zeros_like(total), where=positive)
        cross = np.divide(
            self.pair_weights * other.pair_weights, total, out=np.zeros_like(total), where=positive
        )
        delta = other.pair_means - self.pair_means
        return CovarianceSummary(
            missing=self.missing,
            pair_counts=self.pair_counts + other.pair_counts,
            pair_weights=total,
            pair_means=self.pair_means + delta * share,
            pair_squares=self.pair_squares + other.pair_squares + delta**2 * cross,
            comoments=self.comoments + other.comoments + delta * delta.T * cross,
            n_missing=self.n_missing + other.n_missing,
        )

    @property
    def k(self) -> int:
        """Return the number of items (columns of X)."""
        return int(self.comoments.shape[0]) - 1

    @property
    def n(self) -> int:
        """Return the rows analysed (pairwise: the fewest behind any correlation)."""
        return int(self.pair_counts.min())

    @property
    def weight_total(self) -> float:
        """Return Σw of the rows analysed (pairwise: the smallest over the pairs)."""
        return float(self.pair_weights.min())

    @property
    def means(self) -> np.ndarray:
        """Return the weighted mean of each column of [X, y] over the rows that answered it."""
        return np.diag(self.pair_means).copy()

    def correlation(self, names: Sequence[str] | None = None) -> np.ndarray:
        """Return the correlation matrix of [X, y]; NotEnoughData where it is undefined."""
        return _correlation(self, _names(names, self.k, with_outcome=True))

    def as_dict(self) -> dict[str, Any]:
        """Return the fields as a plain, JSON-serialisable dict (matrices become lists)."""
        matrices = {name: getattr(self, name).tolist() for name in _MATRICES}
        return {"missing": self.missing, "n": self.n, "n_missing": self.n_missing, **matrices}


@dataclass(frozen=True, slots=True)
class DriverResult:
    """Each item's share of the outcome's R², in item order.

    ``importance[j]`` is item j's part of ``r_squared`` (they add up to it); ``percent[j]`` the
    same as a percentage of R² (adding up to 100, or all 0 when R² is 0). ``lower``/``upper``
    are percentile bootstrap limits of ``importance`` (None without ``n_boot``), ``n_boot`` the
    resamples used. ``n`` counts the rows analysed (pairwise: the fewest behind any
    correlation).
    """

    method: str
    items: tuple[str, ...]
    importance: tuple[float, ...]
    percent: tuple[float, ...]
    r_squared: float
    n: int
    missing: str
    confidence: float
    lower: tuple[float, ...] | None
    upper: tuple[float, ...] | None
    n_boot: int

    def as_dict(self) -> dict[str, Any]:
        """Return the fields as a plain, JSON-serialisable dict (tuples become lists)."""
        return {key: _plain(value) for key, value in asdict(self).items()}


@dataclass(frozen=True, slots=True)
class DominanceResult(DriverResult):
    """Dominance analysis; ``importance`` holds the general dominance weights (= LMG).

    ``complete``, ``conditional`` and ``general`` are k × k matrices in the convention of R's
    dominanceanalysis: 1.0 where the row item dominates the column item, 0.0 where the column
    item dominates the row item, 0.5 where neither does (and on the diagonal).
    ``conditional_contributions[j][m]`` is item j's average gain in R² over the models with m
    other items, m = 0 … k − 1 (its mean over m is ``importance[j]``).
    """

    complete: tuple[tuple[float, ...], ...]
    conditional: tuple[tuple[float, ...], ...]
    general: tuple[tuple[float, ...], ...]
    conditional_contributions: tuple[tuple[float, ...], ...]


def _plain(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    return value


def _finite(data: Any, what: str) -> np.ndarray:
    try:
        array = np.asarray(data, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{what} must be numbers.") from exc
    if not np.isfinite(array).all():
        raise ValueError(f"{what} must be finite (no NaN or infinity).")
    return array


def _rows(
    X: ArrayLike, y: ArrayLike, weights: ArrayLike | None, *, allow_empty: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Validate raw rows; return the table [X, y] (NaN = missing) and positive row weights."""
    try:
        items = np.asarray(X, dtype=float)
        outcome = np.asarray(y, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError("X and y must be numbers (NaN or None for a missing answer).") from exc
    if items.ndim != 2:
        if items.size == 0:
            raise NotEnoughData("No answers to analyse (X is empty).")
        raise ValueError("X must be a two-dimensional respondents × items table.")
    if items.shape[1] == 0:
        raise ValueError("X must have at least one item (column).")
    if outcome.ndim != 1 or outcome.shape[0] != items.shape[0]:
        raise ValueError("y must be one-dimensional, with one answer per row of X.")
    table = np.column_stack([items, outcome])
    if np.isinf(table).any():
        raise ValueError("X and y must be finite (NaN or None marks a missing answer).")
    if weights is None:
        row_weights = np.ones(len(table))
    else:
        row_weights = _finite(weights, "Weights")
        if row_weights.shape != (len(table),):
            raise ValueError("weights must have one entry per row of X.")
        if (row_weights < 0).any():
            raise ValueError("Weights must be non-negative.")
    keep = row_weights > 0
    if not keep.any() and not allow_empty:
        raise NotEnoughData("No answers to analyse (no rows, or every weight is 0).")
    return table[keep], row_weights[keep]


def _summarise(table: np.ndarray, weights: np.ndarray, missing: str) -> CovarianceSummary:
    """Return the pairwise sums of validated rows, computed about each column's mean."""
    if missing not in MISSING:
        raise ValueError(f"missing must be one of {MISSING}; got {missing!r}.")
    answered = ~np.isnan(table)
    complete = answered.all(axis=1)
    if missing == "listwise":
        table, weights, answered = table[complete], weights[complete], answered[complete]
    observed = answered.astype(float)
    weighted = observed * weights[:, None]
    pair_weights = weighted.T @ observed
    column_weight = weights @ observed
    column_sum = weights @ np.where(answered, table, 0.0)
    shift = np.divide(
        column_sum, column_weight, out=np.zeros_like(column_sum), where=column_weight > 0
    )
    centred = np.where(answered, table - shift, 0.0)
    sums = (centred * weights[:, None]).T @ observed  # [i, j]: Σw zᵢ over rows answering i, j
    means = np.divide(sums, pair_weights, out=np.zeros_like(sums), where=pair_weights > 0)
    squares = (centred**2 * weights[:, None]).T @ observed - pair_weights * means**2
    comoments = (centred * weights[:, None]).T @ centred - pair_weights * means * means.T
    return CovarianceSummary(
        missing=missing,
        pair_counts=np.rint(observed.T @ observed).astype(np.int64),
        pair_weights=pair_weights,
        pair_means=np.where(pair_weights > 0, means + shift[:, None], 0.0),
        pair_squares=np.maximum(squares, 0.0),
        comoments=comoments,
        n_missing=int((~complete).sum()),
    )


def _names(names: Sequence[str] | None, k: int, *, with_outcome: bool = False) -> tuple[str, ...]:
    if names is None:
        result = tuple(f"x{j + 1}" for j in range(k))
    else:
        if isinstance(names, str) or not all(isinstance(name, str) for name in names):
            raise TypeError("item_names must be a sequence of strings.")
        result = tuple(names)
        if len(result) != k:
            raise ValueError(f"item_names has {len(result)} names for {k} items.")
        if len(set(result)) != k:
            raise ValueError("item_names must be unique.")
    return (*result, "the outcome") if with_outcome else result


def _correlation(summary: CovarianceSummary, names: tuple[str, ...]) -> np.ndarray:
    """Return the correlation matrix of [X, y], or raise NotEnoughData saying why not."""
    k = summary.k
    if summary.n < k + 2:
        where = " answered together" if summary.missing == "pairwise" else ""
        raise NotEnoughData(
            f"Key-driver analysis of {k} item(s) needs at least {k + 2} answers{where} (one "
            f"more than the items and the outcome; with fewer, R² is 1 whatever the data); "
            f"got {summary.n}."
        )
    squares = summary.pair_squares
    raw = squares + summary.pair_weights * summary.pair_means**2
    flat = squares <= _ZERO_VARIANCE * raw
    if np.diag(flat).any():
        i = int(np.flatnonzero(np.diag(flat))[0])
        raise NotEnoughData(
            f"{names[i]} has the same answer from every respondent: there is no variance to "
            "explain or to explain with."
        )
    if flat.any():
        i, j = (int(index) for index in np.argwhere(flat)[0])
        raise NotEnoughData(
            f"{names[i]} has the same answer from every respondent who also answered "
            f"{names[j]}: their correlation is undefined."
        )
    correlation: np.ndarray = np.clip(summary.comoments / np.sqrt(squares * squares.T), -1.0, 1.0)
    np.fill_diagonal(correlation, 1.0)
    if summary.missing == "pairwise" and np.linalg.eigvalsh(correlation)[0] < _NOT_PSD:
        raise NotEnoughData(
            "The pairwise correlations are mutually inconsistent (the answered pairs overlap "
            "too little); use missing='listwise' or collect more complete answers."
        )
    return correlation


def _quadratic_pinv(blocks: np.ndarray, vectors: np.ndarray) -> np.ndarray:
    """Return rᵀA⁺r for a stack of correlation matrices A, dropping collinear directions."""
    values, basis = np.linalg.eigh(blocks)
    keep = values > _RANK_TOLERANCE * values.max(axis=-1, keepdims=True)
    projected = np.einsum("...ji,...j->...i", basis, vectors)
    safe = np.where(keep, values, 1.0)
    return np.asarray(np.where(keep, projected**2 / safe, 0.0).sum(axis=-1))


def _subset_r2(rxx: np.ndarray, rxy: np.ndarray) -> np.ndarray:
    """Return R² of every subset of items, indexed by bit mask (bit j set: item j is in)."""
    k = len(rxy)
    values = np.linalg.eigvalsh(rxx)
    # Cauchy interlacing: no principal submatrix is worse conditioned than the whole, so if
    # the whole is regular a plain solve (4x faster than eigh) is safe for every subset.
    regular = values[0] > _RANK_TOLERANCE * values[-1]
    r2 = np.zeros(2**k)
    for size in range(1, k + 1):
        combos = np.array(list(itertools.combinations(range(k), size)))
        blocks, vectors = rxx[combos[:, :, None], combos[:, None, :]], rxy[combos]
        if regular:
            solved = np.linalg.solve(blocks, vectors[..., None])[..., 0]
            r2[(1 << combos).sum(axis=1)] = np.einsum("...i,...i->...", vectors, solved)
        else:
            r2[(1 << combos).sum(axis=1)] = _quadratic_pinv(blocks, vectors)
    return np.clip(r2, 0.0, 1.0)


def _conditional_contributions(r2: np.ndarray, k: int) -> np.ndarray:
    """Return [j, m]: item j's mean gain in R² over the subsets of m other items."""
    masks = np.arange(2**k)
    sizes = np.bitwise_count(masks)
    result = np.empty((k, k))
    for j in range(k):
        without = masks[(masks & (1 << j)) == 0]
        gains = r2[without | (1 << j)] - r2[without]
        result[j] = np.bincount(sizes[without], weights=gains, minlength=k)
        result[j] /= np.bincount(sizes[without], minlength=k)
    return result


def _lmg(rxx: np.ndarray, rxy: np.ndarray) -> np.ndarray:
    """Return the LMG / Shapley shares: the mean over model sizes of the mean gains."""
    return np.asarray(_conditional_contributions(_subset_r2(rxx, rxy), len(rxy)).mean(axis=1))


def _johnson(rxx: np.ndarray, rxy: np.ndarray) -> np.ndarray:
    """Return Johnson's (2000) raw relative weights ε = (Λ∘Λ)β², Λ = Rxx^½, β = Λ⁺rxy."""
    values, basis = np.linalg.eigh(rxx)
    values = np.where(values > _RANK_TOLERANCE * values.max(), values, 0.0)
    root = (basis * np.sqrt(values)) @ basis.T
    inverse_root = (
        basis * np.divide(1.0, np.sqrt(values), where=values > 0, out=np.zeros_like(values))
    ) @ basis.T
    beta = inverse_root @ rxy
    return np.asarray(root**2 @ beta**2)


def _pairwise_dominance(differences: Callable[[int, int], np.ndarray], k: int) -> np.ndarray:
    """Return the dominance matrix: 1 where row beats column in every comparison, 0 reverse."""
    matrix = np.full((k, k), 0.5)
    for i, j in itertools.combinations(range(k), 2):
        gap = differences(i, j)
        if (gap > _TIE).all():
            matrix[i, j], matrix[j, i] = 1.0, 0.0
        elif (gap < -_TIE).all():
            matrix[i, j], matrix[j, i] = 0.0, 1.0
    return matrix


class _Request(NamedTuple):
    """The arguments every driver function takes, passed on together."""

    X: ArrayLike | None
    y: ArrayLike | None
    summary: CovarianceSummary | None
    weights: ArrayLike | None
    missing: str | None
    item_names: Sequence[str] | None
    n_boot: int
    confidence: float
    seed: int | None


def _prepare(
    request: _Request,
) -> tuple[CovarianceSummary, tuple[np.ndarray, np.ndarray] | None]:
    """Validate the arguments; return the summary and, for raw input, the rows themselves."""
    X, y, summary, weights, missing, _, n_boot, confidence, _ = request
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be between 0 and 1 (exclusive); got {confidence}.")
    if isinstance(n_boot, bool) or not isinstance(n_boot, int) or n_boot < 0:
        raise ValueError(f"n_boot must be a non-negative integer; got {n_boot!r}.")
    if summary is not None:
        if X is not None or y is not None:
            raise TypeError("Pass either raw rows (X, y) or summary=, not both.")
        if not isinstance(summary, CovarianceSummary):
            raise TypeError("summary must be a CovarianceSummary.")
        if weights is not None:
            raise TypeError("weights= applies to raw rows; a summary is already weighted.")
        if missing is not None and missing != summary.missing:
            raise TypeError(f"missing= applies to raw rows; this summary is {summary.missing}.")
        if n_boot:
            raise TypeError("Bootstrap intervals resample rows: pass raw rows (X, y).")
        return summary, None
    if X is None or y is None:
        raise TypeError("Pass raw rows (X and y) or summary=.")
    rows = _rows(X, y, weights)
    return _summarise(*rows, "listwise" if missing is None else missing), rows


def _bootstrap(
    rows: tuple[np.ndarray, np.ndarray],
    missing: str,
    core: Core,
    names: tuple[str, ...],
    request: _Request,
) -> np.ndarray:
    """Return the bootstrap replicates of ``core`` (one row each), resampling rows.

    A resample of n rows with replacement is a count per row, used as a frequency weight on
    top of the case weight. Listwise, only the complete rows are resampled (the analysed
    sample). Resamples where the analysis is undefined (an item constant in the resample)
    are skipped; if that is more than half, the data cannot support an interval.
    """
    table, weights = rows
    n_boot = request.n_boot
    if missing == "listwise":
        complete = ~np.isnan(table).any(axis=1)
        table, weights = table[complete], weights[complete]
    rng = np.random.default_rng(request.seed)
    n = len(table)
    replicates = []
    for _ in range(n_boot):
        counts = np.bincount(rng.integers(0, n, size=n), minlength=n)
        drawn = counts > 0
        resample = _summarise(table[drawn], weights[drawn] * counts[drawn], missing)
        try:
            correlation = _correlation(resample, names)
        except NotEnoughData:
            continue
        replicates.append(core(correlation[:-1, :-1], correlation[:-1, -1]))
    if 2 * len(replicates) < n_boot:
        raise NotEnoughData(
            f"Only {len(replicates)} of {n_boot} bootstrap resamples could be analysed (items "
            "with almost no variance); there are too few answers for an interval."
        )
    return np.array(replicates)


def _analyse(
    method: str, core: Core, request: _Request, *, limit: int | None = None
) -> tuple[dict[str, Any], np.ndarray, np.ndarray]:
    """Run one method; return the DriverResult fields and the items' correlation matrix."""
    summary, rows = _prepare(request)
    k = summary.k
    names = _names(request.item_names, k)
    if limit is not None and k > limit:
        raise ValueError(
            f"{method} fits all 2^k subsets of the items; {k} items ({2**k:,} regressions) is "
            f"over the limit of {limit}. Use relative_weights, or group related items."
        )
    correlation = _correlation(summary, (*names, "the outcome"))
    rxx, rxy = correlation[:-1, :-1], correlation[:-1, -1]
    importance = np.maximum(core(rxx, rxy), 0.0)
    r_squared = float(min(max(importance.sum(), 0.0), 1.0))
    lower = upper = None
    used = 0
    confidence = request.confidence
    if request.n_boot and rows is not None:
        replicates = _bootstrap(rows, summary.missing, core, (*names, "the outcome"), request)
        used = len(replicates)
        tail = (1 - confidence) / 2
        low, high = np.quantile(replicates, [tail, 1 - tail], axis=0)
        # Stretched to contain the estimate, like every interval in contento.stats.
        lower = tuple(float(v) for v in np.clip(np.minimum(low, importance), 0.0, 1.0))
        upper = tuple(float(v) for v in np.clip(np.maximum(high, importance), 0.0, 1.0))
    share = importance / r_squared if r_squared > _TIE else np.zeros(k)
    fields = {
        "method": method,
        "items": names,
        "importance": tuple(float(v) for v in importance),
        "percent": tuple(float(v) for v in 100 * share),
        "r_squared": r_squared,
        "n": summary.n,
        "missing": summary.missing,
        "confidence": confidence,
        "lower": lower,
        "upper": upper,
        "n_boot": used,
    }
    return fields, rxx, rxy


def relative_weights(
    X: ArrayLike | None = None,
    y: ArrayLike | None = None,
    *,
    summary: CovarianceSummary | None = None,
    weights: ArrayLike | None = None,
    missing: str | None = None,
    item_names: Sequence[str] | None = None,
    n_boot: int = 0,
    confidence: float = 0.95,
    seed: int | None = 0,
) -> DriverResult:
    """Return Johnson's relative weights: each item's share of R² via orthogonalised items.

    Johnson, J. W. (2000) "A heuristic method for estimating the relative weight of predictor
    variables in multiple regression", Multivariate Behavioral Research 35(1):1–19: with
    Rxx = VDVᵀ and Λ = VD^½Vᵀ (the correlations of the items with their closest orthogonal
    counterparts), β = Λ⁻¹rxy regresses y on those counterparts and item j's weight is
    εⱼ = Σₖ λⱼₖ²βₖ²; Σε = R². The steps of Tonidandel, S. & LeBreton, J. M. (2011)
    "Relative importance analysis: a useful supplement to regression analysis", J. Business
    and Psychology 26(1):1–9, and of R's rwa package. Collinear items use the
    pseudo-inverse of Λ. Any number of items. ``n_boot`` > 0 adds percentile bootstrap limits
    (Efron & Tibshirani 1993, ch. 13) from raw rows; ``seed`` fixes them.
    """
    request = _Request(X, y, summary, weights, missing, item_names, n_boot, confidence, seed)
    fields, _, _ = _analyse("relative-weights", _johnson, request)
    return DriverResult(**fields)


def shapley_r2(
    X: ArrayLike | None = None,
    y: ArrayLike | None = None,
    *,
    summary: CovarianceSummary | None = None,
    weights: ArrayLike | None = None,
    missing: str | None = None,
    item_names: Sequence[str] | None = None,
    n_boot: int = 0,
    confidence: float = 0.95,
    seed: int | None = 0,
) -> DriverResult:
    """Return the LMG (Shapley value) split of R²: each item's gain averaged over all orders.

    Lindeman, R. H., Merenda, P. F. & Gold, R. Z. (1980) *Introduction to Bivariate and
    Multivariate Analysis*, p. 119ff; the Shapley value (Shapley, L. S. (1953) "A value for
    n-person games", Annals of Mathematics Studies 28:307–317) of the game v(S) = R²(S);
    computed as R's relaimpo ``calc.relimp(type = "lmg")`` does (Grömping, U. (2006)
    "Relative importance for linear regression in R: the package relaimpo", J. Statistical
    Software 17(1)): φⱼ = Σ_{S ∌ j} |S|!(k − |S| − 1)!/k! · (R²(S ∪ j) − R²(S)), with every
    R²(S) = r_Sᵀ R_SS⁺ r_S from the correlation matrix. Exact over all 2^k subsets, so at most
    15 items (ValueError beyond). Bootstrap as :func:`relative_weights`.
    """
    request = _Request(X, y, summary, weights, missing, item_names, n_boot, confidence, seed)
    fields, _, _ = _analyse("shapley-lmg", _lmg, request, limit=MAX_SUBSET_ITEMS)
    return DriverResult(**fields)


def dominance(
    X: ArrayLike | None = None,
    y: ArrayLike | None = None,
    *,
    summary: CovarianceSummary | None = None,
    weights: ArrayLike | None = None,
    missing: str | None = None,
    item_names: Sequence[str] | None = None,
    n_boot: int = 0,
    confidence: float = 0.95,
    seed: int | None = 0,
) -> DominanceResult:
    """Return the dominance analysis of the items: complete, conditional, general dominance.

    Budescu, D. V. (1993) "Dominance analysis: a new approach to the problem of relative
    importance of predictors in multiple regression", Psychological Bulletin 114(3):542–551:
    item i completely dominates j if it adds more to R² than j does to every subset of the
    other items. Azen, R. & Budescu, D. V. (2003) "The dominance analysis approach for
    comparing predictors in multiple regression", Psychological Methods 8(2):129–148: i
    conditionally dominates j if its average gain over the models of each size m = 0 … k − 1
    is larger, and generally dominates j if the mean of those averages (its general
    dominance weight, equal to the LMG value of :func:`shapley_r2`) is larger. Gains within
    1e-12 count as ties. At most 15 items; bootstrap limits are on the general weights.
    """
    request = _Request(X, y, summary, weights, missing, item_names, n_boot, confidence, seed)
    fields, rxx, rxy = _analyse("dominance", _lmg, request, limit=MAX_SUBSET_ITEMS)
    k = len(rxy)
    r2 = _subset_r2(rxx, rxy)
    by_size = _conditional_contributions(r2, k)
    general = np.array(fields["importance"])

    def complete_gaps(i: int, j: int) -> np.ndarray:
        masks = np.arange(2**k)
        others = masks[(masks & ((1 << i) | (1 << j))) == 0]
        return np.asarray(r2[others | (1 << i)] - r2[others | (1 << j)])

    def rows_of(matrix: np.ndarray) -> tuple[tuple[float, ...], ...]:
        return tuple(tuple(float(v) for v in row) for row in matrix)

    return DominanceResult(
        **fields,
        complete=rows_of(_pairwise_dominance(complete_gaps, k)),
        conditional=rows_of(_pairwise_dominance(lambda i, j: by_size[i] - by_size[j], k)),
        general=rows_of(
            _pairwise_dominance(lambda i, j: general[i : i + 1] - general[j : j + 1], k)
        ),
        conditional_contributions=rows_of(by_size),
    )
