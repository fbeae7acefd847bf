"""Statistics for satisfaction scores: NPS, CSAT, CES and means with confidence intervals.

A Django-free library: it imports only numpy and scipy, so it can be used and tested alone.
Pass raw answers (``nps([9, 10, 6])``) or a counts mapping (``nps(counts={9: 12, 6: 3})``);
every function returns a frozen result with ``value``, ``lower``, ``upper``, ``n``,
``confidence``, ``method`` and ``as_dict()``. Formulas and sources: docs/stats.md.
"""

from contento.stats.scores import (
    CSATResult,
    DifferenceResult,
    Estimate,
    MeanResult,
    NotEnoughData,
    NPSResult,
    ProportionResult,
    ces,
    csat,
    mean_score,
    nps,
    nps_difference,
    proportion,
    proportion_difference,
)

__all__ = [
    "CSATResult",
    "DifferenceResult",
    "Estimate",
    "MeanResult",
    "NPSResult",
    "NotEnoughData",
    "ProportionResult",
    "ces",
    "csat",
    "mean_score",
    "nps",
    "nps_difference",
    "proportion",
    "proportion_difference",
]
