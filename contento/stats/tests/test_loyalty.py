"""Tests for contento.stats.loyalty: published numbers first, then properties.

"Published" numbers are printed in the cited source; "hand-computed" ones are worked out in
the comment; "cross-check" compares with an independent implementation (scipy).
"""

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import special, stats

from contento.stats.loyalty import logistic_renewal, loyalty_by_level
from contento.stats.scores import NotEnoughData, mean_score, proportion

# R's `mtcars` (Henderson & Velleman (1981) Biometrics 37:391–411, from Motor Trend 1974):
# weight (1000 lbs) and transmission (am: 1 = manual) of the 32 cars, in the dataset's order.
MTCARS_WT = [
    2.620, 2.875, 2.320, 3.215, 3.440, 3.460, 3.570, 3.190, 3.150, 3.440, 3.440,
    4.070, 3.730, 3.780, 5.250, 5.424, 5.345, 2.200, 1.615, 1.835, 2.465, 3.520,
    3.435, 3.840, 3.845, 1.935, 2.140, 1.513, 3.170, 2.770, 3.570, 2.780,
]  # fmt: skip
MTCARS_AM = [
    1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 1, 1, 1, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1,
]  # fmt: skip


# --- Published and hand-computed numbers -----------------------------------------------------


def test_logistic_matches_r_glm_on_mtcars():
    # Published: summary(glm(am ~ wt, family = binomial, data = mtcars)) in R:
    #   (Intercept)  12.040   4.510   2.670  0.00759
    #   wt           -4.024   1.436  -2.801  0.00509
    #   Null deviance: 43.230 on 31 df; Residual deviance: 19.176 on 30 df; AIC: 23.176
    fit = logistic_renewal(MTCARS_WT, MTCARS_AM)
    assert fit.intercept == pytest.approx(12.040, abs=5e-4)
    assert fit.slope == pytest.approx(-4.024, abs=5e-4)
    assert fit.intercept_se == pytest.approx(4.510, abs=5e-4)
    # R takes its standard errors from the weights at the start of its last IRLS iteration
    # (6 iterations, stopped at a relative deviance change < 1e-8): 1.43642, printed 1.436.
    # At the converged estimate the inverse information gives 1.43653 (re-running R's
    # iterations by hand reproduces both), so this one agrees to 1e-3, not to the last digit.
    assert fit.slope_se == pytest.approx(1.436, abs=1e-3)
    assert fit.intercept_z == pytest.approx(2.670, abs=5e-4)
    assert fit.slope_z == pytest.approx(-2.801, abs=5e-4)
    assert fit.intercept_p_value == pytest.approx(0.00759, abs=5e-6)
    assert fit.slope_p_value == pytest.approx(0.00509, abs=5e-6)
    assert fit.null_deviance == pytest.approx(43.230, abs=5e-4)
    assert fit.deviance == pytest.approx(19.176, abs=5e-4)
    assert fit.deviance + 2 * 2 == pytest.approx(23.176, abs=5e-4)  # AIC
    assert (fit.n, fit.total_weight, fit.method) == (32, 32.0, "irls")
    # Hand-computed from the fit: odds ratio per 1000 lbs e^−4.02397 = 0.017882, and its
    # interval e^(−4.02397 ∓ 1.959964 · 1.436528) = 0.0010706 .. 0.29867.
    assert fit.odds_ratio == pytest.approx(math.exp(fit.slope))
    assert fit.odds_ratio == pytest.approx(0.017882, abs=5e-7)
    assert fit.odds_ratio_lower == pytest.approx(0.0010706, abs=5e-8)
    assert fit.odds_ratio_upper == pytest.approx(0.29867, abs=5e-6)
    # The score equations hold at the maximum: Σ(y − μ) = 0 and Σx(y − μ) = 0.
    residual = np.array(MTCARS_AM) - [fit.predict(w) for w in MTCARS_WT]
    assert abs(residual.sum()) < 1e-8
    assert abs(residual @ MTCARS_WT) < 1e-8


def test_logistic_on_a_binary_predictor_has_the_closed_form():
    # Hand-computed. With satisfaction 0 or 1 the model is saturated: the intercept is the
    # log-odds at 0 and the slope the log odds ratio, with Woolf's standard error.
    #   level 0: 10 of 40 renewed → intercept = ln(10/30) = −1.098612, se = √(1/10 + 1/30)
    #   level 1: 30 of 40 renewed → slope = ln((30/10)/(10/30)) = ln 9 = 2.197225,
    #   se = √(1/10 + 1/30 + 1/30 + 1/10) = 0.516398 (Woolf, B. (1955) Ann. Hum. Genet. 19:251)
    levels = [0] * 40 + [1] * 40
    renewed = [1] * 10 + [0] * 30 + [1] * 30 + [0] * 10
    fit = logistic_renewal(levels, renewed)
    assert fit.intercept == pytest.approx(math.log(1 / 3), abs=1e-10)
    assert fit.slope == pytest.approx(math.log(9), abs=1e-10)
    assert fit.intercept_se == pytest.approx(math.sqrt(1 / 10 + 1 / 30), abs=1e-10)
    assert fit.slope_se == pytest.approx(math.sqrt(2 / 10 + 2 / 30), abs=1e-10)
    assert fit.odds_ratio == pytest.approx(9)
    assert fit.predict(0) == pytest.approx(0.25)
    assert fit.predict(1) == pytest.approx(0.75)
    # Hand-computed: at level 0 the interval is expit(logit 0.25 ∓ 1.959964 · 0.365148)
    # = expit(−1.814289 .. −0.382935) = 0.140120 .. 0.405419.
    interval = fit.predict_interval(0)
    assert interval.value == pytest.approx(0.25)
    assert (interval.lower, interval.upper) == pytest.approx((0.140120, 0.405419), abs=1e-6)
    # The same customers given as four rows with frequency weights.
    weighted = logistic_renewal([0, 0, 1, 1], [1, 0, 1, 0], weights=[10, 30, 30, 10])
    assert weighted.slope == pytest.approx(fit.slope, abs=1e-10)
    assert weighted.slope_se == pytest.approx(fit.slope_se, abs=1e-10)
    assert (weighted.n, weighted.total_weight) == (4, 80.0)


def test_loyalty_by_level_hand_computed():
    # Hand-computed. Level 1: 1 of 2 renewed, Wilson 95% 0.094531 .. 0.905469; revenue 10, 20:
    # mean 15, s = 7.0711, se = 5, t(0.975; 1) = 12.7062 → 15 ∓ 63.531 = −48.531 .. 78.531.
    # Level 2: 2 of 3 renewed; level 3: one customer, so no revenue interval.
    table = loyalty_by_level(
        [2, 1, 3, 2, 1, 2], [1, 0, 1, 0, 1, 1], revenue=[30, 10, 60, 50, 20, 40]
    )
    assert [row.level for row in table.levels] == [1, 2, 3]
    one, two, three = table.levels
    assert (one.n, one.renewed, one.rate.value) == (2, 1, 0.5)
    assert (one.rate.lower, one.rate.upper) == pytest.approx((0.094531, 0.905469), abs=1e-6)
    assert one.revenue.value == 15
    assert (one.revenue.lower, one.revenue.upper) == pytest.approx((-48.531, 78.531), abs=1e-3)
    assert (two.n, two.renewed, two.revenue.value) == (3, 2, 40)
    assert three.revenue is None
    assert three.rate.value == 1.0
    assert (table.overall.successes, table.overall.n, table.n) == (4, 6, 6)
    json.dumps(table.as_dict(), allow_nan=False)


def test_loyalty_by_level_without_revenue_and_with_fractional_levels():
    table = loyalty_by_level([4.5, 4.5, 3], [True, False, True])
    assert [row.level for row in table.levels] == [3, 4.5]
    assert all(row.revenue is None for row in table.levels)


@pytest.mark.parametrize(
    ("satisfaction", "renewed", "reason"),
    [
        ([1, 2, 3, 4], [1, 1, 1, 1], "Every customer renewed"),
        ([1, 2, 3, 4], [0, 0, 0, 0], "did not renew"),
        ([3, 3, 3, 3], [0, 1, 0, 1], "same satisfaction"),
        ([1, 2, 3, 4, 5], [0, 0, 0, 1, 1], "separates"),  # complete separation
        ([1, 2, 3, 3, 4, 5], [0, 0, 0, 1, 1, 1], "separates"),  # quasi-complete, tie at 3
        ([1, 2, 3, 4, 5], [1, 1, 0, 0, 0], "separates"),  # separation the other way round
        ([], [], "No customers"),
    ],
)
def test_logistic_refuses_fits_that_do_not_exist(satisfaction, renewed, reason):
    with pytest.raises(NotEnoughData, match=reason):
        logistic_renewal(satisfaction, renewed)


def test_logistic_ignores_zero_weights_and_refuses_when_none_are_left():
    with pytest.raises(NotEnoughData):
        logistic_renewal([1, 2, 3], [0, 1, 0], weights=[0, 0, 0])
    # Weight 0 drops the row that made the classes overlap: separation.
    with pytest.raises(NotEnoughData, match="separates"):
        logistic_renewal([1, 2, 3, 4], [0, 1, 0, 1], weights=[1, 1, 0, 1])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: logistic_renewal([1, 2], [0, 2]), "0/1"),
        (lambda: logistic_renewal([1, 2], [0]), "one entry per customer"),
        (lambda: logistic_renewal([1, math.nan], [0, 1]), "finite"),
        (lambda: logistic_renewal([1, 2], [0, 1], weights=[1, -1]), "non-negative"),
        (lambda: logistic_renewal([1, 2], [0, 1], confidence=0), "confidence"),
        (lambda: loyalty_by_level([1, 2], [0, 1], revenue=[5]), "one entry per customer"),
        (lambda: loyalty_by_level([1, 2], [0, 0.5]), "0/1"),
        (lambda: loyalty_by_level([1, 2], [0, 1], revenue=[1, math.inf]), "finite"),
    ],
)
def test_invalid_input_raises_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_loyalty_by_level_with_no_customers_raises_not_enough_data():
    with pytest.raises(NotEnoughData):
        loyalty_by_level([], [])


def test_results_are_json_serialisable_without_nan():
    fit = logistic_renewal(MTCARS_WT, MTCARS_AM)
    json.dumps(fit.as_dict(), allow_nan=False)
    json.dumps(fit.predict_interval(3.0).as_dict(), allow_nan=False)


# --- Properties --------------------------------------------------------------------------------

customers = st.lists(st.tuples(st.integers(1, 5), st.booleans()), min_size=2, max_size=200)


def _overlap(rows):
    stayed = [x for x, y in rows if y]
    left = [x for x, y in rows if not y]
    return stayed and left and max(left) > min(stayed) and max(stayed) > min(left)


@settings(deadline=None)
@given(rows=customers)
def test_logistic_fits_whenever_the_classes_overlap_and_refuses_otherwise(rows):
    levels, renewed = zip(*rows, strict=True)
    if not _overlap(rows):
        with pytest.raises(NotEnoughData):
            logistic_renewal(levels, renewed)
        return
    fit = logistic_renewal(levels, renewed)
    numbers = [v for v in fit.as_dict().values() if isinstance(v, float)]
    assert all(math.isfinite(v) for v in numbers)
    assert fit.slope_se > 0
    assert fit.intercept_se > 0
    assert fit.odds_ratio_lower < fit.odds_ratio < fit.odds_ratio_upper
    # Score equations: the fitted probabilities reproduce the renewals in total and by level.
    mu = special.expit(fit.intercept + fit.slope * np.array(levels, dtype=float))
    y = np.array(renewed, dtype=float)
    assert abs((y - mu).sum()) < 1e-6 * len(rows)
    assert abs((y - mu) @ np.array(levels, dtype=float)) < 1e-6 * len(rows)
    # Cross-check: the Wald p-value of the slope.
    assert fit.slope_p_value == pytest.approx(2 * stats.norm.sf(abs(fit.slope_z)))
    for level in (1, 3, 5):
        interval = fit.predict_interval(level)
        assert 0 < interval.lower <= interval.value <= interval.upper < 1


@settings(deadline=None, max_examples=50)
@given(rows=customers, repeat=st.integers(1, 4))
def test_frequency_weights_equal_repeated_rows(rows, repeat):
    if not _overlap(rows):
        return
    levels, renewed = zip(*rows, strict=True)
    weighted = logistic_renewal(levels, renewed, weights=[repeat] * len(rows))
    repeated = logistic_renewal(levels * repeat, renewed * repeat)
    assert weighted.slope == pytest.approx(repeated.slope, rel=1e-7, abs=1e-9)
    assert weighted.slope_se == pytest.approx(repeated.slope_se, rel=1e-7)


@settings(deadline=None)
@given(
    rows=st.lists(
        st.tuples(st.integers(0, 10), st.booleans(), st.floats(min_value=0, max_value=1e4)),
        min_size=1,
        max_size=100,
    )
)
def test_loyalty_by_level_adds_up_and_matches_the_score_functions(rows):
    levels, renewed, revenue = zip(*rows, strict=True)
    table = loyalty_by_level(levels, renewed, revenue)
    assert sum(row.n for row in table.levels) == table.n == len(rows)
    assert sum(row.renewed for row in table.levels) == table.overall.successes
    assert [row.level for row in table.levels] == sorted(set(levels))
    for row in table.levels:
        assert row.rate == proportion(row.renewed, row.n)
        spend = [r for x, _, r in rows if x == row.level]
        assert (row.revenue is None) == (len(spend) < 2)
        if row.revenue is not None:
            assert row.revenue == mean_score(spend)
    json.dumps(table.as_dict(), allow_nan=False)
