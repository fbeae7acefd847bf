"""Tests for contento.stats.drivers: published numbers, independent cross-checks, properties.

Where the numbers come from (we have no R here, so nothing below was re-run in R by us):

* rwa (relative weights) and dominanceanalysis (dominance): printed in each R package's own
  README, i.e. published by the reference implementation's authors.
* relaimpo (LMG) on ``swiss``: relaimpo 2.2-7's output as quoted, to 13 significant digits,
  in the test suite of another open-source survey package (siamang); R's own documentation
  gives the model's R² (0.7067). We trust the quotation because our brute-force OLS over all
  orders of entry (a different computation from the library's) reproduces it to 1e-12.
* Everything else is a cross-check against an independent computation from raw rows, or an
  invariant, and says so.
"""

import itertools
import json
import math
import subprocess
import sys
from dataclasses import FrozenInstanceError

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contento.stats import NotEnoughData
from contento.stats.drivers import (
    CovarianceSummary,
    DominanceResult,
    dominance,
    relative_weights,
    shapley_r2,
)

# fmt: off
# R datasets::swiss (Mosteller & Tukey 1977): Fertility, Agriculture, Examination, Education,
# Catholic, Infant.Mortality for 47 French-speaking provinces of Switzerland, 1888.
SWISS = np.array([
    (80.2, 17, 15, 12, 9.96, 22.2), (83.1, 45.1, 6, 9, 84.84, 22.2),
    (92.5, 39.7, 5, 5, 93.4, 20.2), (85.8, 36.5, 12, 7, 33.77, 20.3),
    (76.9, 43.5, 17, 15, 5.16, 20.6), (76.1, 35.3, 9, 7, 90.57, 26.6),
    (83.8, 70.2, 16, 7, 92.85, 23.6), (92.4, 67.8, 14, 8, 97.16, 24.9),
    (82.4, 53.3, 12, 7, 97.67, 21), (82.9, 45.2, 16, 13, 91.38, 24.4),
    (87.1, 64.5, 14, 6, 98.61, 24.5), (64.1, 62, 21, 12, 8.52, 16.5),
    (66.9, 67.5, 14, 7, 2.27, 19.1), (68.9, 60.7, 19, 12, 4.43, 22.7),
    (61.7, 69.3, 22, 5, 2.82, 18.7), (68.3, 72.6, 18, 2, 24.2, 21.2),
    (71.7, 34, 17, 8, 3.3, 20), (55.7, 19.4, 26, 28, 12.11, 20.2),
    (54.3, 15.2, 31, 20, 2.15, 10.8), (65.1, 73, 19, 9, 2.84, 20),
    (65.5, 59.8, 22, 10, 5.23, 18), (65, 55.1, 14, 3, 4.52, 22.4),
    (56.6, 50.9, 22, 12, 15.14, 16.7), (57.4, 54.1, 20, 6, 4.2, 15.3),
    (72.5, 71.2, 12, 1, 2.4, 21), (74.2, 58.1, 14, 8, 5.23, 23.8),
    (72, 63.5, 6, 3, 2.56, 18), (60.5, 60.8, 16, 10, 7.72, 16.3),
    (58.3, 26.8, 25, 19, 18.46, 20.9), (65.4, 49.5, 15, 8, 6.1, 22.5),
    (75.5, 85.9, 3, 2, 99.71, 15.1), (69.3, 84.9, 7, 6, 99.68, 19.8),
    (77.3, 89.7, 5, 2, 100, 18.3), (70.5, 78.2, 12, 6, 98.96, 19.4),
    (79.4, 64.9, 7, 3, 98.22, 20.2), (65, 75.9, 9, 9, 99.06, 17.8),
    (92.2, 84.6, 3, 3, 99.46, 16.3), (79.3, 63.1, 13, 13, 96.83, 18.1),
    (70.4, 38.4, 26, 12, 5.62, 20.3), (65.7, 7.7, 29, 11, 13.79, 20.5),
    (72.7, 16.7, 22, 13, 11.22, 18.9), (64.4, 17.6, 35, 32, 16.92, 23),
    (77.6, 37.6, 15, 7, 4.97, 20), (67.6, 18.7, 25, 7, 8.65, 19.5),
    (35, 1.2, 37, 53, 42.34, 18), (44.7, 46.6, 16, 29, 50.43, 18.2),
    (42.8, 27.7, 22, 29, 58.33, 19.3),
])
SWISS_ITEMS = ("Agriculture", "Examination", "Education", "Catholic", "Infant.Mortality")

# R datasets::attitude (Chatterjee & Price 1977): rating, complaints, privileges, learning,
# raises, critical, advance; 30 departments of a large financial organisation.
ATTITUDE = np.array([
    (43, 51, 30, 39, 61, 92, 45), (63, 64, 51, 54, 63, 73, 47), (71, 70, 68, 69, 76, 86, 48),
    (61, 63, 45, 47, 54, 84, 35), (81, 78, 56, 66, 71, 83, 47), (43, 55, 49, 44, 54, 49, 34),
    (58, 67, 42, 56, 66, 68, 35), (71, 75, 50, 55, 70, 66, 41), (72, 82, 72, 67, 71, 83, 31),
    (67, 61, 45, 47, 62, 80, 41), (64, 53, 53, 58, 58, 67, 34), (67, 60, 47, 39, 59, 74, 41),
    (69, 62, 57, 42, 55, 63, 25), (68, 83, 83, 45, 59, 77, 35), (77, 77, 54, 72, 79, 77, 46),
    (81, 90, 50, 72, 60, 54, 36), (74, 85, 64, 69, 79, 79, 63), (65, 60, 65, 75, 55, 80, 60),
    (65, 70, 46, 57, 75, 85, 46), (50, 58, 68, 54, 64, 78, 52), (50, 40, 33, 34, 43, 64, 33),
    (64, 61, 52, 62, 66, 80, 41), (53, 66, 52, 50, 63, 80, 37), (40, 37, 42, 58, 50, 57, 49),
    (63, 54, 42, 48, 66, 75, 33), (66, 77, 66, 63, 88, 76, 72), (78, 75, 58, 74, 80, 78, 49),
    (48, 57, 44, 45, 51, 83, 38), (85, 85, 71, 71, 77, 74, 55), (82, 82, 39, 59, 64, 78, 39),
])
ATTITUDE_ITEMS = ("complaints", "privileges", "learning", "raises", "critical", "advance")

# R datasets::mtcars (Henderson & Velleman 1981), the columns rwa's README uses:
# mpg, cyl, disp, hp, gear.
MTCARS = np.array([
    (21, 6, 160, 110, 4), (21, 6, 160, 110, 4), (22.8, 4, 108, 93, 4), (21.4, 6, 258, 110, 3),
    (18.7, 8, 360, 175, 3), (18.1, 6, 225, 105, 3), (14.3, 8, 360, 245, 3),
    (24.4, 4, 146.7, 62, 4), (22.8, 4, 140.8, 95, 4), (19.2, 6, 167.6, 123, 4),
    (17.8, 6, 167.6, 123, 4), (16.4, 8, 275.8, 180, 3), (17.3, 8, 275.8, 180, 3),
    (15.2, 8, 275.8, 180, 3), (10.4, 8, 472, 205, 3), (10.4, 8, 460, 215, 3),
    (14.7, 8, 440, 230, 3), (32.4, 4, 78.7, 66, 4), (30.4, 4, 75.7, 52, 4),
    (33.9, 4, 71.1, 65, 4), (21.5, 4, 120.1, 97, 3), (15.5, 8, 318, 150, 3),
    (15.2, 8, 304, 150, 3), (13.3, 8, 350, 245, 3), (19.2, 8, 400, 175, 3),
    (27.3, 4, 79, 66, 4), (26, 4, 120.3, 91, 5), (30.4, 4, 95.1, 113, 5),
    (15.8, 8, 351, 264, 5), (19.7, 6, 145, 175, 5), (15, 8, 301, 335, 5),
    (21.4, 4, 121, 109, 4),
])
# fmt: on

METHODS = [relative_weights, shapley_r2, dominance]


def _pairs(matrix, names):
    """Return {(row, column)} where the row item dominates the column item."""
    return {(names[i], names[j]) for i, row in enumerate(matrix) for j, v in enumerate(row) if v}


def _dominates(matrix, names):
    return _pairs([[v == 1.0 for v in row] for row in matrix], names)


# --- Published numbers -------------------------------------------------------------------------


def test_shapley_r2_matches_relaimpo_lmg_on_swiss():
    # relaimpo 2.2-7: calc.relimp(lm(Fertility ~ ., swiss), type = "lmg") and rela = TRUE, as
    # quoted in siamang's tests (see the module docstring). R² 0.7067: R's ?swiss example,
    # summary(lm(Fertility ~ ., data = swiss)), "Multiple R-squared: 0.7067".
    result = shapley_r2(SWISS[:, 1:], SWISS[:, 0], item_names=SWISS_ITEMS)
    assert result.r_squared == pytest.approx(0.706735001593, abs=1e-11)
    assert round(result.r_squared, 4) == 0.7067
    lmg = [0.0570912207681, 0.1711730289002, 0.2601346786244, 0.1055701503735, 0.1127659229265]
    assert result.importance == pytest.approx(lmg, abs=1e-12)
    rela = [8.07816517357, 24.2202563216, 36.8079517836, 14.9377277389, 15.9558989823]
    assert result.percent == pytest.approx(rela, abs=1e-9)
    assert (result.items, result.n, result.method) == (SWISS_ITEMS, 47, "shapley-lmg")


def test_shapley_r2_case_weights_match_relaimpo():
    # relaimpo 2.2-7 with lm weights w = 1 + (1:47 %% 3), as quoted in siamang's tests:
    # calc.relimp(lm(Fertility ~ ., swiss, weights = w), type = "lmg").
    weights = 1 + np.arange(1, 48) % 3
    result = shapley_r2(SWISS[:, 1:], SWISS[:, 0], weights=weights)
    assert result.r_squared == pytest.approx(0.694332891423, abs=1e-11)
    lmg = [0.0518208063017, 0.1549452302086, 0.2559770835712, 0.1019573530969, 0.1296324182449]
    assert result.importance == pytest.approx(lmg, abs=1e-12)


def test_relative_weights_match_the_rwa_readme():
    # R package rwa (Martin Chan), README "Basic example":
    # rwa(mtcars, outcome = "mpg", predictors = c("cyl", "disp", "hp", "gear")) prints
    # rsquare 0.7791896; Raw.RelWeight 0.2284797, 0.2221469, 0.2321744, 0.0963886;
    # Rescaled.RelWeight 29.32274, 28.50999, 29.79691, 12.37037; n 32.
    result = relative_weights(MTCARS[:, 1:], MTCARS[:, 0], item_names=["cyl", "disp", "hp", "gear"])
    assert result.r_squared == pytest.approx(0.7791896, abs=5e-8)
    assert result.importance == pytest.approx(
        [0.2284797, 0.2221469, 0.2321744, 0.0963886], abs=5e-8
    )
    assert result.percent == pytest.approx([29.32274, 28.50999, 29.79691, 12.37037], abs=5e-6)
    assert (result.n, result.method) == (32, "relative-weights")
    # relaimpo's lmg on the same model, as quoted in siamang's tests: close to Johnson's
    # weights, not equal (the two methods differ from three items on).
    lmg = shapley_r2(MTCARS[:, 1:], MTCARS[:, 0]).importance
    assert lmg == pytest.approx([0.2470520332352, 0.2434995947956, 0.2109128995443,
                                 0.0777251114079], abs=1e-12)  # fmt: skip


def test_dominance_matches_the_dominanceanalysis_readme():
    # R package dominanceanalysis (Bustos Navarrete & Coutinho Soares), README "Linear
    # regression": dominanceAnalysis(lm(rating ~ ., attitude)); print() and summary().
    # R's ?attitude example gives the full model's R² as 0.7326.
    result = dominance(ATTITUDE[:, 1:], ATTITUDE[:, 0], item_names=ATTITUDE_ITEMS)
    assert isinstance(result, DominanceResult)
    assert round(result.r_squared, 4) == 0.7326
    # "Average contribution" (general dominance), printed to 3 decimals.
    general = [0.371, 0.051, 0.156, 0.120, 0.007, 0.028]
    assert result.importance == pytest.approx(general, abs=5e-4)
    # The "Average level m" rows of summary(): conditional dominance by model size.
    levels = [
        [0.681, 0.182, 0.389, 0.348, 0.024, 0.024],
        [0.494, 0.075, 0.227, 0.194, 0.007, 0.022],
        [0.374, 0.029, 0.137, 0.106, 0.004, 0.034],
        [0.287, 0.011, 0.084, 0.053, 0.002, 0.039],
        [0.220, 0.005, 0.055, 0.020, 0.001, 0.032],
        [0.169, 0.003, 0.042, 0.002, 0.001, 0.017],
    ]
    by_size = np.array(result.conditional_contributions).T
    assert by_size == pytest.approx(np.array(levels), abs=5e-4)
    # The dominance table printed by print(da.attitude).
    c, p, le, r, cr, a = ATTITUDE_ITEMS
    complete = {(c, p), (c, le), (c, r), (c, cr), (c, a), (p, cr), (le, p), (le, r), (le, cr),
                (le, a), (r, cr)}  # fmt: skip
    assert _dominates(result.complete, ATTITUDE_ITEMS) == complete
    assert _dominates(result.conditional, ATTITUDE_ITEMS) == complete
    general_pairs = complete | {(p, a), (r, p), (r, a), (a, cr)}
    assert _dominates(result.general, ATTITUDE_ITEMS) == general_pairs


# --- Independent cross-checks ------------------------------------------------------------------


def _ols_r2(X, y, w, columns):
    """Return the weighted least-squares R² of y on an intercept and X[:, columns]."""
    if not columns:
        return 0.0
    design = np.column_stack([np.ones(len(y)), X[:, list(columns)]])
    root = np.sqrt(w)
    beta = np.linalg.lstsq(design * root[:, None], y * root, rcond=None)[0]
    residual = y - design @ beta
    centred = y - np.average(y, weights=w)
    return 1 - float(w @ residual**2) / float(w @ centred**2)


def _lmg_over_orders(X, y, w):
    """Return LMG by its definition: gains averaged over all k! orders of entry."""
    k = X.shape[1]
    cache = {}

    def r2(columns):
        key = frozenset(columns)
        if key not in cache:
            cache[key] = _ols_r2(X, y, w, sorted(key))
        return cache[key]

    total = np.zeros(k)
    orders = list(itertools.permutations(range(k)))
    for order in orders:
        for step, item in enumerate(order):
            total[item] += r2(order[: step + 1]) - r2(order[:step])
    return total / len(orders), r2(range(k))


def _johnson_by_svd(X, y):
    """Return Johnson's (2000) weights his way: orthogonalise the data matrix by its SVD."""
    Xs = (X - X.mean(axis=0)) / np.sqrt(((X - X.mean(axis=0)) ** 2).sum(axis=0))
    ys = (y - y.mean()) / np.sqrt(((y - y.mean()) ** 2).sum())
    P, d, Qt = np.linalg.svd(Xs, full_matrices=False)
    Z = P @ Qt  # the orthonormal variables closest to the standardised items
    beta = Z.T @ ys  # y regressed on Z (orthonormal, so the coefficients are correlations)
    lam = Z.T @ Xs  # correlations of Z with the items: Q diag(d) Qᵀ
    return (lam**2).T @ beta**2


def test_swiss_lmg_equals_brute_force_ols_over_all_orders():
    # Cross-check, not a published number: 120 orders × OLS on the raw rows.
    weights = 1 + np.arange(1, 48) % 3
    for w in (np.ones(47), weights):
        expected, r2 = _lmg_over_orders(SWISS[:, 1:], SWISS[:, 0], w)
        result = shapley_r2(SWISS[:, 1:], SWISS[:, 0], weights=w)
        assert result.importance == pytest.approx(expected, abs=1e-12)
        assert result.r_squared == pytest.approx(r2, abs=1e-12)


def test_swiss_relative_weights_equal_johnsons_svd_construction():
    # Cross-check: Johnson's own construction from the data matrix (SVD), not Rxx's eigenpairs.
    result = relative_weights(SWISS[:, 1:], SWISS[:, 0])
    assert result.importance == pytest.approx(_johnson_by_svd(SWISS[:, 1:], SWISS[:, 0]), abs=1e-12)
    assert sum(result.importance) == pytest.approx(0.706735001593, abs=1e-11)


def test_uncorrelated_items_get_their_squared_correlations():
    # Hand-computed: orthogonal contrast columns make Rxx = I, so every method gives r²(x, y).
    x1 = np.array([1, 1, -1, -1] * 3, dtype=float)
    x2 = np.array([1, -1, 1, -1] * 3, dtype=float)
    x3 = np.array([1, -1, -1, 1] * 3, dtype=float)
    y = np.arange(12, dtype=float) ** 1.5 + 3 * x1 - x2
    X = np.column_stack([x1, x2, x3])
    r = [np.corrcoef(X[:, j], y)[0, 1] for j in range(3)]
    for method in METHODS:
        assert method(X, y).importance == pytest.approx(np.square(r), abs=1e-12)


def test_missing_answers_listwise_and_pairwise():
    X = SWISS[:, 1:3].copy()
    y = SWISS[:, 0].copy()
    X[:5, 0] = np.nan
    y[40:] = np.nan
    listwise = shapley_r2(X, y)
    assert listwise.n == 47 - 5 - 7
    assert listwise.missing == "listwise"
    complete = ~np.isnan(np.column_stack([X, y])).any(axis=1)
    assert listwise == shapley_r2(X[complete], y[complete])
    pairwise = shapley_r2(X, y, missing="pairwise")
    assert pairwise.n == 47 - 5 - 7  # x1 with y
    assert pairwise.missing == "pairwise"
    summary = CovarianceSummary.from_data(X, y, missing="pairwise")
    assert summary.n_missing == 12
    assert summary.pair_counts.tolist() == [[42, 42, 35], [42, 47, 40], [35, 40, 40]]
    # Each correlation from the rows that answered both (R's pairwise.complete.obs).
    table = np.column_stack([X, y])
    for i, j in itertools.combinations(range(3), 2):
        both = ~np.isnan(table[:, i]) & ~np.isnan(table[:, j])
        expected = np.corrcoef(table[both, i], table[both, j])[0, 1]
        assert summary.correlation()[i, j] == pytest.approx(expected, abs=1e-14)


def test_pairwise_correlations_that_cannot_coexist_are_refused():
    # a = b on rows 0–3, b = y on rows 4–7, y = −a on rows 8–11: correlations +1, +1, −1.
    nan = math.nan
    up = [1.0, 2.0, 3.0, 5.0]
    a = up + [nan] * 4 + up
    b = up + up + [nan] * 4
    y = [nan] * 4 + up + [-v for v in up]
    with pytest.raises(NotEnoughData, match="mutually inconsistent"):
        relative_weights(np.column_stack([a, b]), y, missing="pairwise")


# --- Sufficient statistics ---------------------------------------------------------------------


def test_summary_from_moments_and_merged_chunks_give_the_same_drivers():
    X, y = SWISS[:, 1:], SWISS[:, 0]
    weights = 1 + np.arange(47) % 4
    whole = CovarianceSummary.from_data(X, y, weights=weights)
    z = np.column_stack([X, y])
    moments = CovarianceSummary.from_moments(
        47, weights @ z, (z * weights[:, None]).T @ z, weight_total=float(weights.sum())
    )
    chunks = [CovarianceSummary.from_data(X[a:b], y[a:b], weights[a:b]) for a, b in
              ((0, 10), (10, 10), (10, 31), (31, 47))]  # fmt: skip
    merged = chunks[0].merge(chunks[1]).merge(chunks[2]).merge(chunks[3])
    expected = shapley_r2(X, y, weights=weights)
    for summary in (whole, moments, merged):
        assert summary.n == 47
        assert summary.k == 5
        assert summary.weight_total == pytest.approx(weights.sum())
        assert summary.means == pytest.approx(np.average(z, axis=0, weights=weights))
        for method in METHODS:
            result = method(summary=summary)
            assert result.importance == pytest.approx(
                method(X, y, weights=weights).importance, abs=1e-10
            )
        assert shapley_r2(summary=summary).r_squared == pytest.approx(expected.r_squared)


def test_summary_validation_and_immutability():
    summary = CovarianceSummary.from_data(SWISS[:, 1:], SWISS[:, 0])
    with pytest.raises(FrozenInstanceError):
        summary.missing = "pairwise"
    with pytest.raises(ValueError, match="read-only"):
        summary.comoments[0, 0] = 1.0
    with pytest.raises(ValueError, match="same columns"):
        summary.merge(CovarianceSummary.from_data(SWISS[:, 1:], SWISS[:, 0], missing="pairwise"))
    with pytest.raises(ValueError, match="same columns"):
        summary.merge(CovarianceSummary.from_data(SWISS[:, 2:], SWISS[:, 0]))
    with pytest.raises(TypeError):
        summary.merge("not a summary")
    with pytest.raises(ValueError, match="non-negative integer"):
        CovarianceSummary.from_moments(-1, [0, 0], np.zeros((2, 2)))
    with pytest.raises(ValueError, match="p × p"):
        CovarianceSummary.from_moments(3, [1, 2], np.zeros((3, 3)))
    with pytest.raises(ValueError, match="symmetric"):
        CovarianceSummary.from_moments(3, [1, 2], [[1, 2], [0, 1]])
    with pytest.raises(ValueError, match="negative variance"):
        CovarianceSummary.from_moments(3, [3, 3], [[1, 0], [0, 5]])
    with pytest.raises(ValueError, match="weight_total"):
        CovarianceSummary.from_moments(0, [0, 0], np.zeros((2, 2)), weight_total=2.0)
    with pytest.raises(ValueError, match="missing"):
        CovarianceSummary.from_data(SWISS[:, 1:], SWISS[:, 0], missing="mean")
    # An empty chunk is a valid summary (and the identity of merge), but analyses refuse it.
    empty = CovarianceSummary.from_moments(0, np.zeros(6), np.zeros((6, 6)))
    assert empty.merge(summary).correlation() == pytest.approx(summary.correlation())
    with pytest.raises(NotEnoughData, match="at least 7 answers"):
        shapley_r2(summary=empty)
    assert json.loads(json.dumps(summary.as_dict())) == summary.as_dict()


# --- Degenerate and invalid input --------------------------------------------------------------

ONE_TO_FIVE = [[1.0], [2.0], [3.0], [4.0], [5.0]]


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize(
    ("X", "y", "options", "message"),
    [
        ([], [], {}, "No answers"),  # n = 0
        (np.empty((0, 3)), [], {}, "No answers"),
        ([[1.0, 2.0]], [3.0], {}, "at least 4 answers"),  # one answer
        ([[1.0], [2.0]], [1.0, 2.0], {}, "at least 3 answers"),  # R² would be 1 regardless
        ([[4.0, 4.0]] * 6, [4.0] * 6, {}, "x1 has the same answer"),  # all identical answers
        (ONE_TO_FIVE, [3.0] * 5, {}, "the outcome has the same answer"),
        ([[1.0, 7.0]] * 3 + [[2.0, 7.0]] * 3, range(6), {}, "x2 has the same answer"),
        (ONE_TO_FIVE, range(5), {"weights": [0] * 5}, "every weight is 0"),
        ([[1.0, math.nan]] * 5, range(5), {}, "got 0"),  # listwise leaves no row
        ([[math.nan, 1.0]] * 5, range(5), {"missing": "pairwise"}, "got 0"),
        ([[1.0], [1.0], [1.0], [2.0]], [1.0, 3.0, 2.0, 9.0], {"weights": [1, 1, 1, 0]}, "x1 has"),
    ],
)
def test_degenerate_input_raises_not_enough_data(method, X, y, options, message):
    with pytest.raises(NotEnoughData, match=message):
        method(X, y, **options)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda m: m([1.0, 2.0, 3.0], [1.0, 2.0, 3.0]), "two-dimensional"),
        (lambda m: m(np.empty((5, 0)), range(5)), "at least one item"),
        (lambda m: m(ONE_TO_FIVE, range(4)), "one answer per row"),
        (lambda m: m(ONE_TO_FIVE, [1, 2, 3, 4, math.inf]), "finite"),
        (lambda m: m([["a"]] * 5, range(5)), "numbers"),
        (lambda m: m(ONE_TO_FIVE, range(5), weights=[1, 1, 1, 1, -1]), "non-negative"),
        (lambda m: m(ONE_TO_FIVE, range(5), weights=[1, 1]), "one entry per row"),
        (lambda m: m(ONE_TO_FIVE, range(5), weights=[1, 1, 1, 1, math.nan]), "finite"),
        (lambda m: m(ONE_TO_FIVE, range(5), missing="mean"), "missing must be one of"),
        (lambda m: m(ONE_TO_FIVE, range(5), confidence=1.0), "confidence"),
        (lambda m: m(ONE_TO_FIVE, range(5), n_boot=-1), "n_boot"),
        (lambda m: m(ONE_TO_FIVE, range(5), n_boot=1.5), "n_boot"),
        (lambda m: m(ONE_TO_FIVE, range(5), item_names=["a", "b"]), "2 names for 1 items"),
        (lambda m: m(SWISS[:, 1:3], SWISS[:, 0], item_names=["a", "a"]), "unique"),
    ],
)
def test_invalid_input_raises_value_error(method, call, message):
    with pytest.raises(ValueError, match=message):
        call(method)


@pytest.mark.parametrize("method", METHODS)
def test_raw_rows_and_summary_are_exclusive(method):
    X, y = SWISS[:, 1:], SWISS[:, 0]
    summary = CovarianceSummary.from_data(X, y)
    for call in (
        lambda: method(),
        lambda: method(X),
        lambda: method(X, y, summary=summary),
        lambda: method(summary=summary, weights=np.ones(47)),
        lambda: method(summary=summary, n_boot=100),  # a summary cannot be resampled
        lambda: method(summary=summary, missing="pairwise"),
        lambda: method(summary=X),
        lambda: method(X, y, item_names="abcde"),
    ):
        with pytest.raises(TypeError):
            call()
    assert method(summary=summary, missing="listwise") == method(summary=summary)


def test_subset_methods_refuse_more_than_fifteen_items():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(40, 16))
    y = X.sum(axis=1) + rng.normal(size=40)
    for method in (shapley_r2, dominance):
        with pytest.raises(ValueError, match="16 items .* over the limit of 15"):
            method(X, y)
    assert len(relative_weights(X, y).importance) == 16


def test_collinear_items_use_the_pseudo_inverse():
    X, y = SWISS[:, 1:4], SWISS[:, 0]
    twice = np.column_stack([X, X[:, 0]])  # the same question asked twice
    combined = np.column_stack([X, X[:, 0] + 2 * X[:, 1]])  # an exact linear combination
    for method in METHODS:
        base = method(X, y)
        for data in (twice, combined):
            result = method(data, y)
            assert all(math.isfinite(v) for v in (*result.importance, *result.percent))
            assert result.r_squared == pytest.approx(base.r_squared, abs=1e-10)
            assert sum(result.importance) == pytest.approx(result.r_squared, abs=1e-12)
        # Duplicates are interchangeable, so they share equally.
        duplicated = method(twice, y).importance
        assert duplicated[0] == pytest.approx(duplicated[3], abs=1e-12)
    # ... and neither dominates the other at any level.
    analysis = dominance(twice, y)
    assert {m[0][3] for m in (analysis.complete, analysis.conditional, analysis.general)} == {0.5}


def test_bootstrap_intervals():
    X, y = SWISS[:, 1:], SWISS[:, 0]
    for method in METHODS:
        result = method(X, y, n_boot=200, seed=7)
        assert result == method(X, y, n_boot=200, seed=7)
        assert result.n_boot == 200
        assert result.confidence == 0.95
        for low, value, high in zip(result.lower, result.importance, result.upper, strict=True):
            assert 0.0 <= low <= value <= high <= 1.0
        assert result.importance == method(X, y).importance
    assert shapley_r2(X, y).lower is None
    assert shapley_r2(X, y).n_boot == 0
    assert shapley_r2(X, y, n_boot=200, seed=8).lower != shapley_r2(X, y, n_boot=200, seed=7).lower
    # More answers, narrower intervals (a synthetic sample with a known structure).
    rng = np.random.default_rng(3)
    big = rng.normal(size=(2000, 3))
    outcome = big @ [0.6, 0.3, 0.1] + rng.normal(size=2000)
    narrow = relative_weights(big, outcome, n_boot=200)
    wide = relative_weights(big[:100], outcome[:100], n_boot=200)
    assert all(
        nh - nl < wh - wl
        for nl, nh, wl, wh in zip(narrow.lower, narrow.upper, wide.lower, wide.upper, strict=True)
    )
    # With as few answers as the analysis allows, most resamples repeat a row: no interval.
    with pytest.raises(NotEnoughData, match="bootstrap resamples"):
        relative_weights([[0.0], [0.0], [1.0]], [1.0, 2.0, 4.0], n_boot=100)


def test_as_dict_is_json_serialisable():
    X, y = ATTITUDE[:, 1:4], ATTITUDE[:, 0]
    for result in (
        relative_weights(X, y),
        shapley_r2(X, y, n_boot=20),
        dominance(X, y, item_names=["a", "b", "c"]),
    ):
        as_dict = result.as_dict()
        assert json.loads(json.dumps(as_dict)) == as_dict
        assert as_dict["items"] == list(result.items)


def test_module_imports_nothing_from_django():
    code = "import sys, contento.stats.drivers; print([m for m in sys.modules if 'django' in m])"
    # A fresh interpreter: pytest-django has already imported Django into this one.
    output = subprocess.run(  # noqa: S603 (fixed argv: this interpreter and a literal)
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert output.strip() == "[]"


# --- Properties --------------------------------------------------------------------------------


@st.composite
def ratings(draw, max_items=4, max_rows=24, missing=False):
    """Draw (X, y): answers 1–7 (NaN now and then if ``missing``), degenerate ones included."""
    k = draw(st.integers(1, max_items))
    n = draw(st.integers(0, max_rows))
    cell = st.integers(1, 7).map(float)
    if missing:
        cell = st.one_of(cell, cell, cell, cell, st.just(math.nan))
    table = np.array(
        draw(st.lists(st.lists(cell, min_size=k + 1, max_size=k + 1), min_size=n, max_size=n)),
        dtype=float,
    ).reshape(n, k + 1)
    return table[:, :k], table[:, k]


def healthy(max_items=4):
    """Draw (X, y, weights) that every method can analyse (continuous, no missing answers)."""
    return st.tuples(st.integers(1, max_items), st.integers(0, 2**32 - 1), st.integers(0, 20)).map(
        _healthy
    )


def _healthy(args):
    k, seed, extra = args
    rng = np.random.default_rng(seed)
    n = k + 3 + extra
    X = rng.normal(size=(n, k)) + rng.uniform(0, 2) * rng.normal(size=(n, 1))  # correlated
    y = X @ rng.normal(size=k) + rng.normal(size=n)
    return X, y, rng.integers(1, 4, size=n).astype(float)


def _assert_sane(result, k):
    numbers = (*result.importance, *result.percent, result.r_squared)
    assert all(math.isfinite(v) for v in numbers)
    assert all(v >= 0 for v in result.importance)
    assert 0 <= result.r_squared <= 1
    assert sum(result.importance) == pytest.approx(result.r_squared, abs=1e-9)
    assert sum(result.percent) == pytest.approx(100 if result.r_squared > 1e-12 else 0, abs=1e-7)
    assert len(result.importance) == k
    assert result.n >= k + 2
    assert json.loads(json.dumps(result.as_dict())) == result.as_dict()


@settings(deadline=None, max_examples=300)
@given(
    data=ratings(missing=True),
    method=st.sampled_from(METHODS),
    missing=st.sampled_from(["listwise", "pairwise"]),
    weighted=st.booleans(),
)
def test_any_input_gives_a_sane_result_or_not_enough_data(data, method, missing, weighted):
    X, y = data
    weights = np.arange(len(y)) % 3 if weighted else None  # some rows weigh 0
    try:
        result = method(X, y, weights=weights, missing=missing)
    except NotEnoughData as error:
        assert str(error)
        return
    _assert_sane(result, X.shape[1])


@settings(deadline=None, max_examples=100)
@given(data=ratings(max_rows=16), weighted=st.booleans())
def test_shapley_equals_ols_over_all_orders_and_general_dominance(data, weighted):
    # Cross-check on raw rows (weighted least squares over every order of entry).
    X, y = data
    weights = 1.0 + np.arange(len(y)) % 3 if weighted else np.ones(len(y))
    try:
        result = shapley_r2(X, y, weights=weights)
    except NotEnoughData:
        return
    expected, r2 = _lmg_over_orders(X, y, weights)
    assert result.importance == pytest.approx(expected, abs=1e-8)
    assert result.r_squared == pytest.approx(r2, abs=1e-8)
    analysis = dominance(X, y, weights=weights)
    assert analysis.importance == result.importance
    assert np.mean(analysis.conditional_contributions, axis=1) == pytest.approx(result.importance)


@settings(deadline=None, max_examples=100)
@given(data=healthy())
def test_relative_weights_equal_johnsons_svd_construction(data):
    X, y, _ = data
    result = relative_weights(X, y)
    assert result.importance == pytest.approx(_johnson_by_svd(X, y), abs=1e-9)
    if X.shape[1] == 2:  # With two items Johnson's weights coincide with LMG.
        assert result.importance == pytest.approx(shapley_r2(X, y).importance, abs=1e-9)


@settings(deadline=None, max_examples=100)
@given(data=healthy())
def test_dominance_hierarchy_complete_implies_conditional_implies_general(data):
    # Azen & Budescu (2003): complete ⇒ conditional ⇒ general dominance; each matrix pairs.
    X, y, _ = data
    result = dominance(X, y)
    levels = [np.array(m) for m in (result.complete, result.conditional, result.general)]
    for matrix in levels:
        assert matrix + matrix.T == pytest.approx(np.ones_like(matrix))
    assert ((levels[0] == 1) <= (levels[1] == 1)).all()
    assert ((levels[1] == 1) <= (levels[2] == 1)).all()


@settings(deadline=None, max_examples=60)
@given(
    data=healthy(),
    method=st.sampled_from(METHODS),
    order=st.randoms(use_true_random=False),
    scale=st.floats(0.1, 10).flatmap(lambda a: st.sampled_from([a, -a])),
)
def test_invariant_to_item_order_row_order_rescaling_and_weight_scale(data, method, order, scale):
    X, y, weights = data
    base = method(X, y, weights=weights)
    items = list(range(X.shape[1]))
    rows = list(range(len(y)))
    order.shuffle(items)
    order.shuffle(rows)
    moved = method(X[rows][:, items], y[rows], weights=weights[rows])
    assert moved.importance == pytest.approx([base.importance[j] for j in items], abs=1e-9)
    rescaled = method(scale * X + 5, scale * y - 3, weights=weights * abs(scale))
    assert rescaled.importance == pytest.approx(base.importance, abs=1e-9)


@settings(deadline=None, max_examples=60)
@given(data=healthy(), method=st.sampled_from(METHODS))
def test_integer_weights_equal_repeated_rows(data, method):
    X, y, weights = data
    repeat = weights.astype(int)
    weighted = method(X, y, weights=weights)
    repeated = method(np.repeat(X, repeat, axis=0), np.repeat(y, repeat))
    assert weighted.importance == pytest.approx(repeated.importance, abs=1e-9)


@settings(deadline=None, max_examples=100)
@given(
    data=ratings(max_rows=30, missing=True),
    cuts=st.lists(st.integers(0, 30), max_size=3),
    missing=st.sampled_from(["listwise", "pairwise"]),
)
def test_merged_chunks_equal_the_whole(data, cuts, missing):
    X, y = data
    bounds = sorted({0, len(y), *(min(c, len(y)) for c in cuts)})
    whole = CovarianceSummary.from_data(X, y, missing=missing)
    merged = CovarianceSummary.from_data(X[:0], y[:0], missing=missing)
    for a, b in itertools.pairwise(bounds):
        merged = merged.merge(CovarianceSummary.from_data(X[a:b], y[a:b], missing=missing))
    assert merged.pair_counts.tolist() == whole.pair_counts.tolist()
    assert merged.n_missing == whole.n_missing
    for name in ("pair_weights", "pair_means", "pair_squares", "comoments"):
        assert getattr(merged, name) == pytest.approx(getattr(whole, name), abs=1e-9)
    try:
        expected = whole.correlation()
    except NotEnoughData:
        with pytest.raises(NotEnoughData):
            merged.correlation()
        return
    assert merged.correlation() == pytest.approx(expected, abs=1e-9)


@settings(deadline=None, max_examples=100)
@given(data=healthy())
def test_raw_moments_give_the_same_correlations(data):
    X, y, weights = data
    z = np.column_stack([X, y])
    moments = CovarianceSummary.from_moments(
        len(y), weights @ z, (z * weights[:, None]).T @ z, weight_total=float(weights.sum())
    )
    direct = CovarianceSummary.from_data(X, y, weights)
    assert moments.correlation() == pytest.approx(direct.correlation(), abs=1e-9)
