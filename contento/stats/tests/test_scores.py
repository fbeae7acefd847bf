"""Tests for contento.stats.scores: published numbers first, then properties."""

import json
import math
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from contento.stats import (
    SCORE_CATEGORIES,
    NotEnoughData,
    ces,
    ces_category,
    csat,
    csat_category,
    mean_score,
    nps,
    nps_category,
    nps_difference,
    proportion,
    proportion_difference,
)

Z95 = 1.959963984540054


# --- Published and hand-computed numbers -----------------------------------------------------


@pytest.mark.parametrize(
    ("successes", "n", "lower", "upper"),
    [
        # Newcombe, R. G. (1998) "Two-sided confidence intervals for the single proportion",
        # Statistics in Medicine 17:857–872, Table I, method 3 (Wilson score, no continuity
        # correction), 95%.
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0000, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_proportion_matches_newcombe_1998_table_1(successes, n, lower, upper):
    result = proportion(successes, n)
    assert result.value == successes / n
    assert result.lower == pytest.approx(lower, abs=5e-5)
    assert result.upper == pytest.approx(upper, abs=5e-5)
    assert result.method == "wilson"


@pytest.mark.parametrize(
    ("a", "b", "lower", "upper"),
    [
        # Newcombe, R. G. (1998) "Interval estimation for the difference between independent
        # proportions: comparison of eleven methods", Statistics in Medicine 17:873–890,
        # Table II, method 10 (hybrid score, no continuity correction), 95%.
        ((56, 70), (48, 80), 0.0524, 0.3339),
        ((9, 10), (3, 10), 0.1705, 0.8090),
        ((6, 7), (2, 7), 0.0582, 0.8062),
        ((5, 56), (0, 29), -0.0381, 0.1926),
        ((0, 10), (0, 20), -0.1611, 0.2775),
        ((0, 10), (0, 10), -0.2775, 0.2775),
        ((10, 10), (0, 20), 0.6791, 1.0000),
        ((10, 10), (0, 10), 0.6075, 1.0000),
    ],
)
def test_proportion_difference_matches_newcombe_1998_table_2(a, b, lower, upper):
    result = proportion_difference(proportion(*a), proportion(*b))
    assert result.value == pytest.approx(a[0] / a[1] - b[0] / b[1])
    assert result.lower == pytest.approx(lower, abs=5e-5)
    assert result.upper == pytest.approx(upper, abs=5e-5)
    assert result.method == "newcombe-hybrid-score"


def test_proportion_difference_p_value_is_the_pooled_z_test():
    # 56/70 vs 48/80: pooled p̄ = 104/150 = 0.69333; se0 = √(0.69333·0.30667·(1/70 + 1/80))
    # = 0.075467; z = 0.2/0.075467 = 2.6502; p = 2·(1 − Φ(2.6502)) = 0.008045. z² is the
    # uncorrected Pearson χ² of the 2×2 table, which scipy computes independently.
    result = proportion_difference(proportion(56, 70), proportion(48, 80))
    chi2 = stats.chi2_contingency([[56, 14], [48, 32]], correction=False)
    assert result.p_value == pytest.approx(0.008045, abs=1e-6)
    assert result.p_value == pytest.approx(chi2.pvalue, rel=1e-9)


def test_mean_score_matches_students_sleep_data():
    # Student (1908) / Cushny & Peebles: extra hours of sleep, drug 2 − drug 1, n = 10.
    # R: t.test(extra ~ group, data = sleep, paired = TRUE) → mean −1.58,
    # 95% CI −2.4598858 to −0.7001142 (group 1 − group 2; we take group 2 − group 1).
    differences = [1.2, 2.4, 1.3, 1.3, 0.0, 1.0, 1.8, 0.8, 4.6, 1.4]
    result = mean_score(differences)
    assert result.value == pytest.approx(1.58)
    assert result.lower == pytest.approx(0.7001142, abs=1e-7)
    assert result.upper == pytest.approx(2.4598858, abs=1e-7)
    assert result.n == 10
    assert result.n_effective == 10
    assert result.method == "t"


def test_weighted_mean_uses_kish_effective_n():
    # Hand-computed. Scores 1, 2, 3 with weights 1, 1, 2:
    #   Σw = 4, Σw² = 6, n_eff = 4²/6 = 8/3
    #   mean = (1 + 2 + 6)/4 = 2.25
    #   Σw(x − mean)² = 1.5625 + 0.0625 + 2·0.5625 = 2.75; /Σw = 0.6875
    #   s² = 0.6875 · n_eff/(n_eff − 1) = 0.6875 · 1.6 = 1.1
    #   se = √(1.1 / (8/3)) = √0.4125 = 0.642262
    #   t(0.975, df = 5/3) = 5.24227 (scipy) → 2.25 ± 3.36691 → upper 5.61691,
    #   lower −1.1169, clipped to the scale minimum 1.
    result = ces([1, 2, 3], weights=[1, 1, 2])
    assert result.n_effective == pytest.approx(8 / 3)
    assert result.value == pytest.approx(2.25)
    assert result.std == pytest.approx(math.sqrt(1.1))
    assert result.standard_error == pytest.approx(math.sqrt(0.4125))
    assert result.upper == pytest.approx(2.25 + 5.2422651 * math.sqrt(0.4125), abs=1e-6)
    assert result.lower == 1.0


def test_nps_variance_matches_rocks_reference_implementation():
    # Rocks' R package NPS, tests/testthat: for scores c(0, 7, 7, 9, 9, 9) nps = 1/3,
    # nps_var = 5/9 and nps_se = 0.304 (= √(5/9 / 6)); the Wald half-width is z · se.
    result = nps([0, 7, 7, 9, 9, 9], method="wald")
    assert result.value == pytest.approx(100 / 3)
    half_width = (result.upper - result.lower) / 2
    assert half_width / Z95 == pytest.approx(100 * math.sqrt(5 / 9 / 6))
    assert half_width / Z95 == pytest.approx(30.4, abs=0.05)


def test_nps_adjusted_wald_hand_computed():
    # Rocks (2016) adjusted Wald, pseudo-answers 0.75 / 1.5 / 0.75 (reference implementation).
    # 10 detractors, 20 passives, 30 promoters (n = 60): raw NPS = (30 − 10)/60 = 33.33.
    #   adjusted counts 10.75 / 21.5 / 30.75, m = 63
    #   p₊ = 30.75/63 = 0.488095, p₋ = 10.75/63 = 0.170635, NPS* = 20/63 = 0.317460
    #   var = p₊ + p₋ − NPS*² = 0.658730 − 0.100781 = 0.557949
    #   se = √(0.557949/63) = 0.094108; z·se = 1.959964 · 0.094108 = 0.184448
    #   interval 0.317460 ∓ 0.184448 → 13.30 to 50.19 NPS points
    result = nps(counts={0: 10, 7: 20, 9: 30})
    assert result.method == "adjusted-wald"
    assert result.value == pytest.approx(100 / 3)
    assert result.lower == pytest.approx(13.3012, abs=1e-4)
    assert result.upper == pytest.approx(50.1909, abs=1e-4)
    assert (result.detractors, result.passives, result.promoters, result.n) == (10, 20, 30, 60)


def test_nps_wald_hand_computed():
    # Same answers, plain Wald: p₊ = 0.5, p₋ = 1/6, var = 2/3 − 1/9 = 5/9,
    # se = √(5/9/60) = 0.096225, z·se = 0.188598 → 33.33 ∓ 18.86 = 14.47 to 52.19.
    result = nps(counts={0: 10, 7: 20, 9: 30}, method="wald")
    assert result.lower == pytest.approx(14.4736, abs=1e-4)
    assert result.upper == pytest.approx(52.1931, abs=1e-4)


def test_nps_difference_wald_hand_computed():
    # a: 10 / 20 / 30 (NPS 1/3, var 5/9); b: 20 / 20 / 20 (NPS 0, var 1/3 + 1/3 − 0 = 2/3).
    #   se = √(5/9/60 + 2/3/60) = √(11/540) = 0.142725
    #   z = (1/3)/0.142725 = 2.33550 → p = 2·(1 − Φ(2.33550)) = 0.019517
    #   interval 33.33 ∓ 1.959964 · 14.2725 = 5.36 to 61.31
    a = nps(counts={0: 10, 7: 20, 9: 30})
    b = nps(counts={0: 20, 7: 20, 9: 20})
    result = nps_difference(a, b, method="wald")
    assert result.value == pytest.approx(100 / 3)
    assert result.p_value == pytest.approx(0.019517, abs=1e-6)
    assert result.lower == pytest.approx(5.3598, abs=1e-4)
    assert result.upper == pytest.approx(61.3069, abs=1e-4)
    assert (result.n, result.n_a, result.n_b) == (120, 60, 60)


def test_csat_counts_top_two_boxes():
    # 5 of 10 answers are 4 or 5 → 0.5; Wilson 95% for 5/10 = 0.2366 to 0.7634.
    result = csat(counts={5: 3, 4: 2, 3: 0, 1: 5})
    assert (result.successes, result.n, result.value, result.percent) == (5, 10, 0.5, 50.0)
    assert result.lower == pytest.approx(0.2366, abs=5e-5)
    assert result.upper_percent == pytest.approx(76.34, abs=5e-3)
    assert csat(counts={5: 3, 4: 2, 1: 5}, top=1).successes == 3


def test_ces_default_scale_is_one_to_seven():
    assert ces([7, 7, 6]).value == pytest.approx(20 / 3)
    with pytest.raises(ValueError, match="CES scores"):
        ces([8, 7])


def test_nps_categories_are_reichhelds():
    # Reichheld (2003): 9–10 promoters, 7–8 passives, 0–6 detractors.
    assert [nps_category(score) for score in range(11)] == [-1] * 7 + [0, 0] + [1, 1]


def test_csat_categories_are_the_top_and_bottom_two_boxes():
    assert [csat_category(score) for score in range(1, 6)] == [-1, -1, 0, 1, 1]


def test_csat_top_box_is_what_csat_counts():
    counts = {1: 4, 2: 3, 3: 2, 4: 7, 5: 11}
    satisfied = sum(n for score, n in counts.items() if csat_category(score) == 1)
    assert csat(counts=counts).successes == satisfied


def test_ces_categories_split_at_the_midpoint():
    assert [ces_category(score) for score in range(1, 8)] == [-1, -1, -1, 0, 1, 1, 1]


def test_ces_categories_on_the_original_five_point_scale():
    assert [ces_category(score, scale_max=5) for score in range(1, 6)] == [-1, -1, 0, 1, 1]


def test_nps_is_promoters_minus_detractors_by_category():
    counts = {10: 41, 9: 30, 8: 12, 7: 5, 6: 4, 3: 2}
    net = sum(n * nps_category(score) for score, n in counts.items())
    assert nps(counts=counts).value == pytest.approx(100 * net / sum(counts.values()))


def test_score_categories_name_every_score():
    expected = {"nps": nps_category, "csat": csat_category, "ces": ces_category}
    assert expected == SCORE_CATEGORIES


# --- Degenerate and invalid input ------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda: nps([]),
        lambda: nps(counts={}),
        lambda: nps(counts={9: 0, 3: 0}),
        lambda: nps([9, 3], weights=[0, 0]),
        lambda: csat(counts={}),
        lambda: mean_score([]),
        lambda: mean_score([4.0]),  # one answer: t has no degrees of freedom
        lambda: ces(counts={5: 1}),
        lambda: mean_score([1, 5], weights=[1, 0]),
        lambda: proportion(0, 0),
    ],
)
def test_no_data_raises_not_enough_data(call):
    with pytest.raises(NotEnoughData):
        call()


def test_not_enough_data_is_a_value_error():
    assert issubclass(NotEnoughData, ValueError)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: nps([11]), "from 0 up to 10; got 11"),
        (lambda: nps([-1, 9]), "got -1"),
        (lambda: nps([9.5]), "integers"),
        (lambda: nps([math.nan]), "finite"),
        (lambda: nps(counts={9: -1}), "non-negative integers"),
        (lambda: nps(counts={9: 1.5}), "non-negative integers"),
        (lambda: nps(counts={"ten": 1}), "numbers"),
        (lambda: nps(counts={11: 0, 9: 3}), "got 11"),
        (lambda: nps([9, 9], weights=[1, -1]), "non-negative"),
        (lambda: nps([9, 9], weights=[1]), "one entry per score"),
        (lambda: nps([9], method="exact"), "method"),
        (lambda: nps([9], confidence=1.0), "confidence"),
        (lambda: csat([6]), "CSAT scores"),
        (lambda: csat([5], top=6), "top"),
        (lambda: mean_score([1, 2], scale_min=2), "from 2"),
        (lambda: proportion(5, 3), "cannot exceed"),
        (lambda: proportion(-1, 3), "non-negative integer"),
        (lambda: proportion(1.5, 3), "non-negative integer"),
    ],
)
def test_invalid_input_raises_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_scores_and_counts_are_exclusive():
    with pytest.raises(TypeError):
        nps([9], counts={9: 1})
    with pytest.raises(TypeError):
        nps()
    with pytest.raises(TypeError):
        nps(counts={9: 1}, weights=[1])
    with pytest.raises(TypeError):
        nps_difference(proportion(1, 2), proportion(1, 2))


def test_one_answer_gives_a_finite_interval():
    for method in ("wald", "adjusted-wald", "bootstrap"):
        result = nps([10], method=method)
        assert result.value == 100
        assert all(math.isfinite(x) for x in (result.lower, result.upper))
    assert nps([10], method="wald").lower == 100  # Wald collapses; the default does not
    assert nps([10]).lower < 0
    assert proportion(1, 1).lower == pytest.approx(0.2065, abs=5e-5)


def test_identical_answers_give_a_zero_width_mean_interval():
    result = mean_score(counts={3.7: 5})
    assert result.lower == result.upper == result.value == 3.7
    assert result.std == 0


def test_json_string_keys_are_accepted():
    assert nps(counts={"9": 3, "0": 1}) == nps(counts={9: 3, 0: 1})


def test_as_dict_is_json_serialisable():
    for result in (
        nps(counts={0: 1, 9: 2}),
        csat([5, 4, 1]),
        ces([1, 2]),
        nps_difference(nps([9, 0]), nps([7])),
    ):
        assert json.loads(json.dumps(result.as_dict())) == result.as_dict()


def test_bootstrap_is_reproducible_and_close_to_wald_for_large_n():
    counts = {0: 400, 7: 600, 9: 1000}
    first = nps(counts=counts, method="bootstrap", seed=7)
    assert first == nps(counts=counts, method="bootstrap", seed=7)
    wald = nps(counts=counts, method="wald")
    assert first.lower == pytest.approx(wald.lower, abs=1.0)
    assert first.upper == pytest.approx(wald.upper, abs=1.0)


def test_library_imports_nothing_from_django():
    code = "import sys, contento.stats; print(sorted(m for m in sys.modules if 'django' in m))"
    # A fresh interpreter: pytest-django has already imported Django into this one.
    output = subprocess.run(  # noqa: S603 (fixed argv: this interpreter and a literal)
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert output.strip() == "[]"


# --- Properties --------------------------------------------------------------------------------

confidences = st.floats(min_value=0.5, max_value=0.999)
nps_counts = st.dictionaries(st.integers(0, 10), st.integers(0, 300), min_size=1).filter(
    lambda counts: sum(counts.values()) > 0
)
csat_counts = st.dictionaries(st.integers(1, 5), st.integers(0, 300), min_size=1).filter(
    lambda counts: sum(counts.values()) > 0
)
weighted_answers = st.lists(
    st.tuples(st.integers(0, 10), st.floats(min_value=0.01, max_value=100)), min_size=1
)


def _expand(counts):
    return np.repeat(list(counts.keys()), list(counts.values()))


def _assert_sane(result, floor, ceil):
    values = (result.value, result.lower, result.upper)
    assert all(math.isfinite(x) for x in values)
    assert floor <= result.lower <= result.value <= result.upper <= ceil


@settings(deadline=None)
@given(counts=nps_counts, confidence=confidences, method=st.sampled_from(["wald", "adjusted-wald"]))
def test_nps_interval_contains_estimate_within_scale(counts, confidence, method):
    result = nps(counts=counts, confidence=confidence, method=method)
    _assert_sane(result, -100, 100)
    assert result.promoters + result.passives + result.detractors == result.n
    shares = result.promoter_share + result.passive_share + result.detractor_share
    assert shares == pytest.approx(1)


@settings(deadline=None, max_examples=30)
@given(counts=nps_counts, confidence=confidences)
def test_nps_bootstrap_interval_contains_estimate_within_scale(counts, confidence):
    _assert_sane(
        nps(counts=counts, confidence=confidence, method="bootstrap", n_resamples=200), -100, 100
    )


@settings(deadline=None, max_examples=50)
@given(counts=nps_counts, method=st.sampled_from(["wald", "adjusted-wald", "bootstrap"]))
def test_nps_counts_and_raw_scores_agree(counts, method):
    from_counts = nps(counts=counts, method=method, n_resamples=200)
    assert nps(_expand(counts), method=method, n_resamples=200) == from_counts
    assert nps(list(_expand(counts)), method=method, n_resamples=200) == from_counts


@settings(deadline=None, max_examples=50)
@given(answers=weighted_answers, order=st.randoms(use_true_random=False))
def test_nps_is_permutation_invariant(answers, order):
    shuffled = list(answers)
    order.shuffle(shuffled)
    for method in ("wald", "adjusted-wald", "bootstrap"):
        scores, weights = zip(*answers, strict=True)
        again_scores, again_weights = zip(*shuffled, strict=True)
        assert nps(scores, weights=weights, method=method, n_resamples=200) == nps(
            again_scores, weights=again_weights, method=method, n_resamples=200
        )


@settings(deadline=None)
@given(answers=weighted_answers, scale=st.floats(min_value=0.1, max_value=10))
def test_nps_weights_only_matter_relatively(answers, scale):
    scores, weights = zip(*answers, strict=True)
    base = nps(scores, weights=weights)
    scaled = nps(scores, weights=[w * scale for w in weights])
    _assert_sane(base, -100, 100)
    assert scaled.value == pytest.approx(base.value, abs=1e-9)
    assert scaled.lower == pytest.approx(base.lower, abs=1e-6)
    assert scaled.n_effective == pytest.approx(base.n_effective)
    assert 1 <= base.n_effective <= base.n + 1e-9


@settings(deadline=None)
@given(counts=csat_counts, confidence=confidences, top=st.integers(1, 5))
def test_csat_matches_scipy_wilson(counts, confidence, top):
    result = csat(counts=counts, confidence=confidence, top=top)
    _assert_sane(result, 0, 1)
    assert csat(_expand(counts), confidence=confidence, top=top) == result
    reference = stats.binomtest(result.successes, result.n).proportion_ci(
        confidence, method="wilson"
    )
    assert result.lower == pytest.approx(reference.low, abs=1e-9)
    assert result.upper == pytest.approx(reference.high, abs=1e-9)
    assert result.percent == pytest.approx(100 * result.value)


@settings(deadline=None)
@given(
    scores=st.lists(st.floats(min_value=-1e3, max_value=1e3), min_size=2),
    confidence=confidences,
)
def test_mean_score_matches_scipy_t_interval(scores, confidence):
    result = mean_score(scores, confidence=confidence)
    assert all(math.isfinite(x) for x in (result.value, result.lower, result.upper))
    assert result.lower <= result.value <= result.upper
    if np.ptp(scores) > 1e-6:
        lower, upper = stats.t.interval(
            confidence, len(scores) - 1, loc=np.mean(scores), scale=stats.sem(scores)
        )
        assert result.lower == pytest.approx(lower, rel=1e-7, abs=1e-7)
        assert result.upper == pytest.approx(upper, rel=1e-7, abs=1e-7)


@settings(deadline=None)
@given(
    counts=st.dictionaries(st.integers(1, 7), st.integers(0, 50), min_size=1).filter(
        lambda counts: sum(counts.values()) >= 2
    ),
    confidence=confidences,
)
def test_ces_stays_on_scale_and_counts_match_scores(counts, confidence):
    result = ces(counts=counts, confidence=confidence)
    _assert_sane(result, 1, 7)
    assert ces(_expand(counts), confidence=confidence) == result
    assert ces(_expand(counts)[::-1], confidence=confidence) == result


@settings(deadline=None)
@given(a=nps_counts, b=nps_counts, method=st.sampled_from(["wald", "adjusted-wald"]))
def test_nps_difference_is_sane_and_antisymmetric(a, b, method):
    first, second = nps(counts=a), nps(counts=b)
    forward = nps_difference(first, second, method=method)
    backward = nps_difference(second, first, method=method)
    _assert_sane(forward, -200, 200)
    assert 0 <= forward.p_value <= 1
    assert backward.value == pytest.approx(-forward.value)
    assert backward.lower == pytest.approx(-forward.upper, abs=1e-9)
    assert backward.p_value == pytest.approx(forward.p_value)


@settings(deadline=None)
@given(
    a=st.integers(0, 500).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))),
    b=st.integers(0, 500).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))),
    confidence=confidences,
)
def test_proportion_difference_is_sane_and_antisymmetric(a, b, confidence):
    if a[1] == 0 or b[1] == 0:
        with pytest.raises(NotEnoughData):
            proportion_difference(proportion(*a), proportion(*b))
        return
    forward = proportion_difference(proportion(*a), proportion(*b), confidence=confidence)
    backward = proportion_difference(proportion(*b), proportion(*a), confidence=confidence)
    _assert_sane(forward, -1, 1)
    assert 0 <= forward.p_value <= 1
    assert backward.lower == pytest.approx(-forward.upper, abs=1e-12)
    assert backward.p_value == pytest.approx(forward.p_value)
