"""Importance–performance analysis: place each item in one of Martilla and James's quadrants.

Importance comes in as plain numbers per item (e.g. driver-analysis coefficients), performance
as plain numbers per item (e.g. mean ratings); nothing here estimates either. The grid's
cross-hairs are either data-centred (the mean or median of the items' values) or fixed
(a number, e.g. the midpoint of the rating scale): Martilla and James leave their placement
to judgement, and the choice can move items between quadrants (Bacon, D. R. (2003) "A
Comparison of Approaches to Importance-Performance Analysis", International Journal of Market
Research 45(1):55–71). A value exactly on a cut counts as high.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from contento.stats.scores import NotEnoughData

# The four quadrants of Martilla & James (1977), A to D.
CONCENTRATE_HERE = "concentrate here"  # A: high importance, low performance ("fix first")
KEEP_UP_THE_GOOD_WORK = "keep up the good work"  # B: high importance, high performance
LOW_PRIORITY = "low priority"  # C: low importance, low performance
POSSIBLE_OVERKILL = "possible overkill"  # D: low importance, high performance
QUADRANTS = (CONCENTRATE_HERE, KEEP_UP_THE_GOOD_WORK, LOW_PRIORITY, POSSIBLE_OVERKILL)

CUT_METHODS = ("mean", "median")


@dataclass(frozen=True, slots=True)
class IPAItem:
    """One item's importance, performance and quadrant (high = at or above the cut)."""

    name: str
    importance: float
    performance: float
    quadrant: str
    high_importance: bool
    high_performance: bool

    def as_dict(self) -> dict[str, Any]:
        """Return the fields as a plain, JSON-serialisable dict."""
        return asdict(self)


@dataclass(frozen=True, slots=True)
class IPAResult:
    """Every item's quadrant (in input order) and the cuts that drew the grid.

    ``importance_method`` and ``performance_method`` say how each cut was chosen:
    ``"mean"``, ``"median"`` (of the items' values) or ``"fixed"`` (a number passed in).
    """

    items: tuple[IPAItem, ...]
    importance_cut: float
    performance_cut: float
    importance_method: str
    performance_method: str

    def in_quadrant(self, quadrant: str) -> tuple[IPAItem, ...]:
        """Return the items in ``quadrant`` (one of QUADRANTS), in input order."""
        if quadrant not in QUADRANTS:
            raise ValueError(f"quadrant must be one of {', '.join(QUADRANTS)}; got {quadrant!r}.")
        return tuple(item for item in self.items if item.quadrant == quadrant)

    def as_dict(self) -> dict[str, Any]:
        """Return the results as a plain, JSON-serialisable dict."""
        return {
            "items": [item.as_dict() for item in self.items],
            "importance_cut": self.importance_cut,
            "performance_cut": self.performance_cut,
            "importance_method": self.importance_method,
            "performance_method": self.performance_method,
        }


def _values(data: ArrayLike, what: str, n: int) -> np.ndarray:
    try:
        array = np.asarray(data, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{what} must be numbers, one per item.") from exc
    if array.ndim != 1 or len(array) != n:
        raise ValueError(f"{what} must have one number per item ({n}).")
    if not np.isfinite(array).all():
        raise ValueError(f"{what} must be finite (no NaN or infinity).")
    return array


def _cut(values: np.ndarray, cut: str | float, what: str) -> tuple[float, str]:
    """Return the cut and how it was chosen; a data-centred cut needs values that differ."""
    if isinstance(cut, str):
        if cut not in CUT_METHODS:
            raise ValueError(f"{what}_cut must be 'mean', 'median' or a number; got {cut!r}.")
        if np.ptp(values) == 0:
            raise NotEnoughData(
                f"The {cut} cannot split items whose {what} is all the same (or a single "
                f"item); pass a fixed {what}_cut instead."
            )
        centre = math.fsum(values) / len(values) if cut == "mean" else float(np.median(values))
        return centre, cut
    if isinstance(cut, bool) or not isinstance(cut, numbers.Real) or not math.isfinite(cut):
        raise ValueError(f"{what}_cut must be 'mean', 'median' or a finite number; got {cut!r}.")
    return float(cut), "fixed"


def _quadrant(high_importance: bool, high_performance: bool) -> str:
    if high_importance:
        return KEEP_UP_THE_GOOD_WORK if high_performance else CONCENTRATE_HERE
    return POSSIBLE_OVERKILL if high_performance else LOW_PRIORITY


def ipa(
    importance: ArrayLike,
    performance: ArrayLike,
    items: Sequence[str],
    *,
    importance_cut: str | float = "mean",
    performance_cut: str | float = "mean",
) -> IPAResult:
    """Return each item's importance–performance quadrant.

    Martilla, J. A. & James, J. C. (1977) "Importance-Performance Analysis", Journal of
    Marketing 41(1):77–79: high importance and low performance is "concentrate here" (fix
    first), high and high "keep up the good work", low and low "low priority", low importance
    and high performance "possible overkill". Each cut is ``"mean"`` (default) or
    ``"median"`` of the items' values, or a number; a value equal to its cut counts as high.
    """
    if isinstance(items, str) or not all(isinstance(name, str) for name in items):
        raise TypeError("items must be a sequence of item names (strings).")
    names = tuple(items)
    if not names:
        raise NotEnoughData("No items to place on the importance–performance grid.")
    if len(set(names)) != len(names):
        raise ValueError("Item names must be unique.")
    importance_values = _values(importance, "Importance", len(names))
    performance_values = _values(performance, "Performance", len(names))
    importance_at, importance_method = _cut(importance_values, importance_cut, "importance")
    performance_at, performance_method = _cut(performance_values, performance_cut, "performance")
    placed = []
    for name, imp, perf in zip(names, importance_values, performance_values, strict=True):
        high_importance = bool(imp >= importance_at)
        high_performance = bool(perf >= performance_at)
        placed.append(
            IPAItem(
                name=name,
                importance=float(imp),
                performance=float(perf),
                quadrant=_quadrant(high_importance, high_performance),
                high_importance=high_importance,
                high_performance=high_performance,
            )
        )
    return IPAResult(
        items=tuple(placed),
        importance_cut=importance_at,
        performance_cut=performance_at,
        importance_method=importance_method,
        performance_method=performance_method,
    )
