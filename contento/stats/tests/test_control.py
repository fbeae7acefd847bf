"""Tests for contento.stats.control: published numbers first, then properties.

"Published" numbers are printed in the cited source; "hand-computed" ones are worked out in
the comment; "computed" ones come from this code on published data and are not quoted from
the source.
"""

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contento.stats.control import ewma_chart, p_chart, significant_drop
from contento.stats.scores import NotEnoughData

# Montgomery, D. C. (2009) Introduction to Statistical Quality Control, 6th ed., §7.2.1: the
# orange-juice-can example, 30 samples of n = 50 cans, nonconforming cans per sample.
ORANGE_JUICE = [
    12, 15, 8, 10, 4, 7, 16, 9, 14, 10, 5, 6, 17, 12, 22,
    8, 10, 5, 13, 11, 20, 18, 24, 15, 9, 12, 7, 13, 9, 6,
]  # fmt: skip

# Montgomery (2009) Table 9.1: 30 observations, the first 20 from N(10, 1), the last 10 after
# the mean shifted to 11; the data of his CUSUM and EWMA examples (μ₀ = 10, σ = 1).
TABLE_9_1 = [
    9.45, 7.99, 9.29, 11.66, 12.16, 10.18, 8.04, 11.46, 9.20, 10.34,
    9.03, 11.47, 10.51, 9.40, 10.08, 9.37, 10.62, 10.31, 8.52, 10.84,
    10.90, 9.33, 12.29, 11.50, 10.60, 11.08, 10.38, 11.62, 11.31, 10.52,
]  # fmt: skip


# --- Published and hand-computed numbers -----------------------------------------------------


def test_p_chart_matches_montgomery_orange_juice_example():
    # Published: p̄ = 347/1500 = 0.2313, UCL = 0.4102, LCL = 0.0524; samples 15 (new batch
    # of cardboard) and 23 (inexperienced operator) plot above the UCL. Periods count from 0.
    chart = p_chart(ORANGE_JUICE, [50] * 30)
    assert chart.center == pytest.approx(347 / 1500)
    assert chart.center == pytest.approx(0.2313, abs=5e-5)
    assert all(point.upper == pytest.approx(0.4102, abs=5e-5) for point in chart.points)
    assert all(point.lower == pytest.approx(0.0524, abs=5e-5) for point in chart.points)
    assert chart.above == (14, 22)
    assert chart.below == ()
    assert (chart.baseline_periods, chart.L, chart.method) == (30, 3.0, "p-chart")
    assert not significant_drop(chart).dropped


def test_p_chart_variable_limits_hand_computed():
    # Hand-computed. 40/50, 45/50, 55/100: p̄ = 140/200 = 0.7.
    #   n = 50:  3·√(0.7·0.3/50)  = 3·0.0648074 = 0.1944222 → 0.5055778 .. 0.8944222
    #   n = 100: 3·√(0.7·0.3/100) = 3·0.0458258 = 0.1374773 → 0.5625227 .. 0.8374773
    # 0.9 > 0.8944 is a significant rise; 0.55 < 0.5625 a significant drop.
    chart = p_chart([40, 45, 55], [50, 50, 100])
    assert chart.center == pytest.approx(0.7)
    first, second, third = chart.points
    assert (first.lower, first.upper) == pytest.approx((0.5055778, 0.8944222), abs=1e-7)
    assert (third.lower, third.upper) == pytest.approx((0.5625227, 0.8374773), abs=1e-7)
    assert (chart.above, chart.below) == ((1,), (2,))
    verdict = significant_drop(chart)
    assert verdict.dropped
    assert verdict.period == 2
    assert verdict.statistic == 0.55
    assert verdict.lower == third.lower
    assert verdict.center == pytest.approx(0.7)


def test_p_chart_limits_are_clipped_to_zero_and_one():
    # Hand-computed: center 0.05, n = 10: 0.05 ± 3·√(0.0475/10) = 0.05 ± 0.2068 → 0 .. 0.2568.
    point = p_chart([0], [10], center=0.05).points[0]
    assert point.lower == 0.0
    assert not point.below
    assert point.upper == pytest.approx(0.05 + 3 * math.sqrt(0.05 * 0.95 / 10))
    assert p_chart([10], [10], center=0.97).points[0].upper == 1.0


def test_p_chart_baseline_keeps_a_drop_from_moving_the_centre_line():
    # Hand-computed. Ten weeks at 160/200 = 80%, then a week at 142/200 = 71%.
    #   All eleven weeks: p̄ = 1742/2200 = 0.791818, LCL = p̄ − 3·√(p̄(1 − p̄)/200) = 0.705691,
    #   so 0.71 is not flagged: the drop has pulled the centre line down towards itself.
    #   Baseline = the ten first weeks: p̄ = 0.8, LCL = 0.8 − 3·√(0.16/200) = 0.715147 → flagged.
    successes, totals = [160] * 10 + [142], [200] * 11
    pooled = p_chart(successes, totals)
    assert pooled.points[-1].lower == pytest.approx(0.705691, abs=1e-6)
    assert not significant_drop(pooled).dropped
    chart = p_chart(successes, totals, baseline=10)
    assert chart.center == pytest.approx(0.8)
    assert chart.baseline_periods == 10
    assert chart.points[-1].lower == pytest.approx(0.715147, abs=1e-6)
    assert significant_drop(chart).dropped
    known = p_chart(successes, totals, center=0.8)
    assert known.points == chart.points
    assert known.baseline_periods == 0


def test_p_chart_keeps_empty_periods_without_numbers():
    chart = p_chart([40, 0, 45, 42], [50, 0, 50, 50])
    empty = chart.points[1]
    assert (empty.rate, empty.lower, empty.upper, empty.below, empty.above) == (
        None,
        None,
        None,
        False,
        False,
    )
    assert chart.center == pytest.approx(127 / 150)
    with pytest.raises(NotEnoughData, match="latest period"):
        significant_drop(p_chart([40, 45, 0], [50, 50, 0]))


def test_ewma_on_montgomery_table_9_1():
    # Design of Montgomery's EWMA example: μ₀ = 10, σ = 1, λ = 0.1, L = 2.7.
    # Hand-computed: z₁ = 0.1·9.45 + 0.9·10 = 9.945; z₂ = 0.1·7.99 + 0.9·9.945 = 9.7495;
    # limits at i = 1: 10 ± 2.7·√(0.1/1.9 · (1 − 0.9²)) = 10 ± 2.7·0.1 = 9.73 .. 10.27;
    # asymptotically 10 ± 2.7·√(0.1/1.9) = 10 ± 0.61943.
    chart = ewma_chart(TABLE_9_1, lam=0.1, L=2.7, target=10, sigma=1)
    first, second = chart.points[:2]
    assert first.ewma == pytest.approx(9.945)
    assert second.ewma == pytest.approx(9.7495)
    assert (first.lower, first.upper) == pytest.approx((9.73, 10.27))
    assert chart.points[-1].upper == pytest.approx(10 + 2.7 * math.sqrt(0.1 / 1.9), abs=1e-3)
    # Computed here (not quoted from the book): after the shift at period 21 the EWMA first
    # exceeds the UCL at periods 29 and 30 (indices 28, 29); z₂₉ = 10.6468 > 10.6187.
    assert chart.above == (28, 29)
    assert chart.below == ()
    assert chart.points[28].ewma == pytest.approx(10.6468, abs=5e-5)
    assert chart.sigma_method == "given"
    assert chart.baseline_periods == 0


def test_ewma_with_lambda_one_is_the_shewhart_individuals_chart():
    # λ = 1: zᵢ = xᵢ and the factor 1 − (1 − λ)²ⁱ = 1, so the limits are μ₀ ± Lσ throughout.
    chart = ewma_chart([1.0, 2.0, -4.0], lam=1.0, L=3, target=0, sigma=1)
    assert [p.ewma for p in chart.points] == [1.0, 2.0, -4.0]
    assert all((p.lower, p.upper) == (-3.0, 3.0) for p in chart.points)
    assert chart.below == (2,)


def test_ewma_estimates_target_and_sigma_from_the_moving_range():
    # Hand-computed: values 1, 3, 2, 5 → mean 2.75; moving ranges 2, 1, 3, mean 2;
    # σ = 2 / d₂ = 2 / (2/√π) = √π = 1.7724539.
    chart = ewma_chart([1, 3, 2, 5])
    assert chart.target == 2.75
    assert chart.sigma == pytest.approx(math.sqrt(math.pi))
    assert chart.sigma_method == "moving-range"
    assert chart.baseline_periods == 4


def test_ewma_flags_a_sustained_drop():
    # Twenty stable weeks then a sustained fall by 1.5σ: each week alone is well within the
    # 3σ of a Shewhart chart, but the EWMA (λ = 0.2, L = 3, asymptotic limits 80 ± 1) crosses
    # its lower limit once 1.5·0.8ᵏ < 0.5, about five weeks in.
    values = [80.0 + (1 if i % 2 else -1) for i in range(20)] + [78.5] * 8
    chart = ewma_chart(values, target=80, sigma=1)
    verdict = significant_drop(chart)
    assert verdict.dropped
    assert verdict.method == "ewma"
    assert verdict.period == 27
    assert verdict.statistic < verdict.lower < verdict.center == 80
    assert min(chart.below) >= 20


@pytest.mark.parametrize(
    "call",
    [
        lambda: p_chart([], []),
        lambda: p_chart([0, 0], [0, 0]),
        lambda: p_chart([4], [10]),  # one period cannot estimate its own centre line
        lambda: p_chart([4, 0], [10, 0]),
        lambda: ewma_chart([]),
        lambda: ewma_chart([3.0]),  # one value: no moving range to estimate σ
        lambda: ewma_chart([3.0, 3.0, 3.0]),  # zero variance: σ cannot be estimated
        lambda: ewma_chart([1.0, 2.0, 9.0], baseline=1),
    ],
)
def test_too_little_data_raises_not_enough_data(call):
    with pytest.raises(NotEnoughData):
        call()


def test_degenerate_input_with_given_parameters_still_works():
    assert p_chart([4], [10], center=0.5).points[0].rate == 0.4
    assert ewma_chart([3.0], sigma=1.0).points[0].ewma == 3.0
    assert ewma_chart([3.0, 3.0], target=3.0, sigma=0.5).below == ()
    # All successes: p̄ = 1, the limits collapse to 1 and nothing is flagged.
    chart = p_chart([10, 20], [10, 20])
    assert chart.center == 1.0
    assert chart.points[0].lower == chart.points[0].upper == 1.0
    assert chart.below == chart.above == ()


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: p_chart([5, 3], [4, 3]), "cannot exceed"),
        (lambda: p_chart([1, 2], [3]), "one entry per period"),
        (lambda: p_chart([-1, 2], [3, 3]), "non-negative integers"),
        (lambda: p_chart([1.5, 2], [3, 3]), "non-negative integers"),
        (lambda: p_chart([1, 2], [3, math.nan]), "finite"),
        (lambda: p_chart([1, 2], [3, 3], L=0), "L"),
        (lambda: p_chart([1, 2], [3, 3], center=1.2), "center"),
        (lambda: p_chart([1, 2], [3, 3], baseline=3), "baseline"),
        (lambda: ewma_chart([1, 2], lam=0), "lam"),
        (lambda: ewma_chart([1, 2], lam=1.5), "lam"),
        (lambda: ewma_chart([1, 2], sigma=0), "sigma"),
        (lambda: ewma_chart([1, 2], target=math.inf, sigma=1), "target"),
        (lambda: ewma_chart([1, math.nan]), "finite"),
        (lambda: ewma_chart([1, 2], L=-3), "L"),
    ],
)
def test_invalid_input_raises_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_conflicting_arguments_raise_type_error():
    with pytest.raises(TypeError):
        p_chart([1, 2], [3, 3], center=0.5, baseline=1)
    with pytest.raises(TypeError):
        ewma_chart([1, 2], target=1, sigma=1, baseline=1)
    with pytest.raises(TypeError):
        significant_drop([0.1, 0.2])


def test_results_are_json_serialisable_without_nan():
    for result in (
        p_chart([40, 0, 45], [50, 0, 50]),
        ewma_chart(TABLE_9_1),
        significant_drop(ewma_chart(TABLE_9_1)),
    ):
        json.dumps(result.as_dict(), allow_nan=False)


# --- Properties --------------------------------------------------------------------------------

periods = st.lists(
    st.integers(0, 500).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))),
    min_size=2,
    max_size=40,
).filter(lambda rows: sum(1 for _, n in rows if n > 0) >= 2)


@settings(deadline=None)
@given(rows=periods, width=st.floats(min_value=0.5, max_value=4))
def test_p_chart_properties(rows, width):
    successes, totals = zip(*rows, strict=True)
    chart = p_chart(successes, totals, L=width)
    assert 0 <= chart.center <= 1
    for point in chart.points:
        if point.n == 0:
            assert point.rate is None
            assert not (point.below or point.above)
            continue
        assert 0 <= point.lower <= chart.center <= point.upper <= 1
        assert point.below == (point.rate < point.lower)
        assert point.above == (point.rate > point.upper)
        assert not (point.below and point.above)
    json.dumps(chart.as_dict(), allow_nan=False)


@settings(deadline=None)
@given(
    values=st.lists(st.floats(min_value=-1e3, max_value=1e3), min_size=1, max_size=60),
    lam=st.floats(min_value=0.01, max_value=1),
    width=st.floats(min_value=0.5, max_value=4),
    sigma=st.floats(min_value=0.01, max_value=100),
)
def test_ewma_properties(values, lam, width, sigma):
    chart = ewma_chart(values, lam=lam, L=width, target=0.0, sigma=sigma)
    half_widths = [point.upper - chart.target for point in chart.points]
    # Exact limits widen with i towards the asymptote Lσ√(λ/(2 − λ)) (Lucas & Saccucci).
    asymptote = width * sigma * math.sqrt(lam / (2 - lam))
    assert all(b >= a - 1e-12 for a, b in zip(half_widths, half_widths[1:], strict=False))
    assert all(0 < h <= asymptote * (1 + 1e-12) for h in half_widths)
    low, high = min([*values, 0.0]), max([*values, 0.0])
    for point in chart.points:
        assert low - 1e-9 <= point.ewma <= high + 1e-9  # a weighted average
        assert point.below == (point.ewma < point.lower)
        assert point.lower == pytest.approx(-point.upper)
    json.dumps(chart.as_dict(), allow_nan=False)


@settings(deadline=None)
@given(values=st.lists(st.floats(min_value=-1e3, max_value=1e3), min_size=2, max_size=40))
def test_ewma_estimated_parameters_are_finite_or_refused(values):
    try:
        chart = ewma_chart(values)
    except NotEnoughData:
        assert np.ptp(values) == 0
        return
    assert math.isfinite(chart.sigma)
    assert chart.sigma > 0
    json.dumps(chart.as_dict(), allow_nan=False)
