"""Input checks shared by the modules of `contento.stats` (private)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike


def respondent_weights(weights: ArrayLike | None, n: int) -> np.ndarray:
    """Return respondent sampling weights (all 1 when None), refusing bad ones clearly."""
    if weights is None:
        return np.ones(n)
    try:
        array = np.asarray(weights, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError("Weights must be numbers.") from exc
    if array.shape != (n,):
        raise ValueError("weights must have one entry per respondent (row).")
    if not np.isfinite(array).all():
        raise ValueError("Weights must be finite (no NaN or infinity).")
    if (array < 0).any():
        raise ValueError("Weights must be non-negative.")
    return array


def item_names(names: Sequence[str] | None, k: int, *, argument: str, unit: str) -> tuple[str, ...]:
    """Return k unique item names ("1".."k" by default); `argument` names the parameter."""
    if names is None:
        return tuple(str(j + 1) for j in range(k))
    if isinstance(names, str) or not all(isinstance(name, str) for name in names):
        raise TypeError(f"{argument} must be a sequence of item names (strings).")
    result = tuple(names)
    if len(result) != k:
        raise ValueError(f"{argument} has {len(result)} names for {k} {unit}.")
    if len(set(result)) != k:
        raise ValueError(f"{argument} must be unique.")
    return result
