"""Tests for contento.stats.gaps: published and hand-computed numbers, then properties."""

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from contento.stats.gaps import gap_from_moments, gaps
from contento.stats.scores import NotEnoughData

NA = math.nan

# Student's sleep data (Cushny & Peebles; R `sleep`): extra hours of sleep of 10 patients
# under drug 1 and drug 2. Read here as expectation (drug 1) and perception (drug 2).
SLEEP_DRUG_1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
SLEEP_DRUG_2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]


# --- Published and hand-computed numbers -----------------------------------------------------


def test_item_gap_matches_r_paired_t_test_on_the_sleep_data():
    # Published: R, t.test(extra ~ group, data = sleep, paired = TRUE) → t = −4.0621, df = 9,
    # p-value = 0.002833, mean difference −1.58, 95% CI −2.4598858 to −0.7001142 (group 1 −
    # group 2; perception − expectation here is group 2 − group 1, so the signs flip).
    gap = gaps(SLEEP_DRUG_1, SLEEP_DRUG_2).item("1")
    assert gap.value == pytest.approx(1.58)
    assert gap.lower == pytest.approx(0.7001142, abs=1e-7)
    assert gap.upper == pytest.approx(2.4598858, abs=1e-7)
    assert gap.p_value == pytest.approx(0.002833, abs=5e-7)
    assert gap.value / gap.standard_error == pytest.approx(4.0621, abs=5e-5)
    assert (gap.expected, gap.perceived) == (pytest.approx(0.75), pytest.approx(2.33))
    assert (gap.n, gap.n_effective, gap.n_missing, gap.method) == (10, 10, 0, "paired-t")


def test_wilcoxon_p_value_hand_computed():
    # Hand-computed. Sleep data: one zero difference (dropped, Wilcoxon's convention) and 9
    # positive ones. Under H0 each of the 2⁹ sign patterns is equally likely and only "all +"
    # and "all −" are as extreme as the data, so the two-sided p = 2/512 = 0.00390625 (scipy's
    # permutation method, used for ties/zeros at small n). R's wilcox.test reports 0.009091
    # instead: a normal approximation with continuity correction.
    assert gaps(SLEEP_DRUG_1, SLEEP_DRUG_2).item("1").wilcoxon_p_value == pytest.approx(2 / 512)
    # Gaps 1, 2, 3, 4, −5 (no ties, no zeros): W− = 5. Subsets of ranks {1..5} with sum ≤ 5:
    # {}, {1}, {2}, {3}, {1,2}, {4}, {1,3}, {5}, {1,4}, {2,3} = 10 of 32, so p = 2 · 10/32.
    gap = gaps([0, 0, 0, 0, 5], [1, 2, 3, 4, 0]).item("1")
    assert gap.wilcoxon_p_value == pytest.approx(20 / 32)


def test_gaps_hand_computed_with_missing_pairs_and_a_dimension():
    # Hand-computed. Three items, five respondents; NaN is a missing answer.
    expected = [
        [5, 6, 7],
        [6, 6, NA],
        [7, 5, 6],
        [NA, 7, 7],
        [6, 6, 6],
    ]
    perceived = [
        [4, 6, 5],
        [5, 7, 6],
        [6, 4, 4],
        [5, 5, NA],
        [6, 5, 6],
    ]
    # Item "tidy": pairs from respondents 1, 2, 3, 5 (4 has no expectation): gaps −1, −1, −1, 0
    #   mean −0.75; s² = (3 · 0.0625 + 0.5625)/3 = 0.25, s = 0.5, se = 0.25
    #   t(0.975, 3) = 3.182446 → −0.75 ∓ 0.795612
    # Item "fast": gaps 0, 1, −1, −2, −1 → mean −0.6, s² = (0.36 + 2.56 + 0.16 + 1.96 + 0.16)/4
    #   = 1.3
    # Item "kind": respondents 1, 3, 5 (2 and 4 miss one answer): gaps −2, −2, 0.
    # Dimension "service" = items tidy + kind, each respondent's mean over the complete pairs:
    #   r1 (−1 − 2)/2 = −1.5, r2 −1 (tidy only), r3 (−1 − 2)/2 = −1.5, r4 none, r5 0
    #   → n = 4, mean −1.0; expected means 6, 6, 6.5, 6 → 6.125; perceived 4.5, 5, 5, 6 → 5.125
    result = gaps(
        expected,
        perceived,
        ["tidy", "fast", "kind"],
        dimensions={"service": ["tidy", "kind"]},
    )
    tidy = result.item("tidy")
    assert (tidy.n, tidy.n_missing) == (4, 1)
    assert tidy.value == pytest.approx(-0.75)
    assert tidy.std == pytest.approx(0.5)
    assert tidy.lower == pytest.approx(-0.75 - 3.182446 * 0.25, abs=1e-6)
    assert tidy.upper == pytest.approx(-0.75 + 3.182446 * 0.25, abs=1e-6)
    fast = result.item("fast")
    assert (fast.n, fast.value, fast.std) == (5, pytest.approx(-0.6), pytest.approx(math.sqrt(1.3)))
    kind = result.item("kind")
    assert (kind.n, kind.n_missing, kind.value) == (3, 2, pytest.approx(-4 / 3))
    service = result.dimension("service")
    assert (service.n, service.n_missing) == (4, 1)
    assert service.value == pytest.approx(-1.0)
    assert service.expected == pytest.approx(6.125)
    assert service.perceived == pytest.approx(5.125)
    reference = stats.ttest_1samp([-1.5, -1, -1.5, 0], 0)
    assert service.p_value == pytest.approx(reference.pvalue)
    assert json.loads(json.dumps(result.as_dict())) == result.as_dict()


def test_identical_gaps_give_a_zero_width_interval_and_finite_p_values():
    no_gap = gaps([[4, 5], [4, 5], [4, 5]], [[4, 7], [4, 7], [4, 7]])
    same = no_gap.item("1")
    assert same.value == same.lower == same.upper == 0
    assert same.std == 0
    assert same.p_value == 1.0
    assert same.wilcoxon_p_value == 1.0
    shifted = no_gap.item("2")
    assert shifted.value == shifted.lower == shifted.upper == 2
    assert shifted.p_value == 0.0  # t = 2/0: the paired t test's limit
    assert shifted.wilcoxon_p_value == pytest.approx(2 / 8)  # 3 positive gaps, exact


def test_unequal_weights_use_kish_n_eff_and_skip_the_rank_test():
    # Gaps 1, 2, 4 with weights 1, 1, 2 (hand-computed): mean (1 + 2 + 8)/4 = 2.75,
    # n_eff = 16/6 = 8/3, Σw(d − 2.75)² = 3.0625 + 0.5625 + 2 · 1.5625 = 6.75, /Σw = 1.6875,
    # s² = 1.6875 · (8/3)/(5/3) = 2.7.
    gap = gaps([0, 0, 0], [1, 2, 4], weights=[1, 1, 2]).item("1")
    assert gap.value == pytest.approx(2.75)
    assert gap.n_effective == pytest.approx(8 / 3)
    assert gap.std == pytest.approx(math.sqrt(2.7))
    assert gap.wilcoxon_p_value is None
    equal = gaps([0, 0, 0], [1, 2, 4], weights=[3, 3, 3]).item("1")
    plain = gaps([0, 0, 0], [1, 2, 4]).item("1")
    assert equal.wilcoxon_p_value == plain.wilcoxon_p_value == 0.25
    for field in ("value", "lower", "upper", "std", "p_value", "n_effective"):
        assert getattr(equal, field) == pytest.approx(getattr(plain, field))


# --- Degenerate and invalid input ------------------------------------------------------------


@pytest.mark.parametrize(
    ("expected", "perceived", "kwargs"),
    [
        ([], [], {}),
        (np.empty((0, 2)), np.empty((0, 2)), {}),
        ([[3, 4]], [[4, 4]], {}),  # one respondent
        ([3, 4], [4, NA], {}),  # one complete pair
        ([[3, NA], [4, NA]], [[4, 5], [5, 5]], {}),  # item 2 has no complete pair
        ([3, 4], [4, 4], {"weights": [1, 0]}),
        ([[3, 1], [4, 1]], [[4, NA], [5, NA]], {"dimensions": {"d": ["1"]}}),
    ],
)
def test_degenerate_input_raises_not_enough_data(expected, perceived, kwargs):
    with pytest.raises(NotEnoughData):
        gaps(expected, perceived, **kwargs)


def test_not_enough_data_names_the_item():
    with pytest.raises(NotEnoughData, match="'quiet'"):
        gaps([[1, 2], [2, NA]], [[2, 2], [3, 3]], ["fast", "quiet"])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: gaps([1, 2], [1, 2, 3]), "same shape"),
        (lambda: gaps([1, math.inf], [1, 2]), "finite"),
        (lambda: gaps(["a", "b"], [1, 2]), "numbers"),
        (lambda: gaps(np.ones((2, 2, 2)), np.ones((2, 2, 2))), "two-dimensional"),
        (lambda: gaps([1, 2], [2, 3], ["a", "b"]), "2 names for 1 columns"),
        (lambda: gaps([[1, 2], [2, 3]], [[2, 3], [3, 3]], ["a", "a"]), "unique"),
        (lambda: gaps([1, 2], [2, 3], dimensions={"d": ["x"]}), "unknown item 'x'"),
        (lambda: gaps([1, 2], [2, 3], dimensions={"d": []}), "one or more"),
        (lambda: gaps([1, 2], [2, 3], weights=[1]), "one entry per respondent"),
        (lambda: gaps([1, 2], [2, 3], weights=[1, -1]), "non-negative"),
        (lambda: gaps([1, 2], [2, 3], confidence=0), "confidence"),
    ],
)
def test_invalid_input_raises_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_a_string_is_not_a_list_of_item_names():
    with pytest.raises(TypeError):
        gaps([1, 2], [2, 3], "a")
    with pytest.raises(TypeError):
        gaps([1, 2], [2, 3], dimensions={"d": "1"})


# --- Properties --------------------------------------------------------------------------------

answer = st.one_of(st.integers(1, 7).map(float), st.just(NA))
paired_tables = (
    st.integers(1, 4)
    .flatmap(
        lambda k: st.lists(
            st.tuples(
                st.lists(answer, min_size=k, max_size=k), st.lists(answer, min_size=k, max_size=k)
            ),
            min_size=2,
            max_size=30,
        )
    )
    .map(lambda rows: ([e for e, _ in rows], [p for _, p in rows]))
)


def _gaps_or_none(expected, perceived, **kwargs):
    try:
        return gaps(expected, perceived, **kwargs)
    except NotEnoughData:
        return None


@settings(deadline=None)
@given(tables=paired_tables)
def test_swapping_expected_and_perceived_flips_every_gap(tables):
    expected, perceived = tables
    k = len(expected[0])
    dimensions = {"all": [str(j + 1) for j in range(k)]}
    forward = _gaps_or_none(expected, perceived, dimensions=dimensions)
    backward = _gaps_or_none(perceived, expected, dimensions=dimensions)
    assert (forward is None) == (backward is None)
    if forward is None:
        return
    for there, back in zip(
        forward.items + forward.dimensions, backward.items + backward.dimensions, strict=True
    ):
        assert back.value == pytest.approx(-there.value)
        assert back.lower == pytest.approx(-there.upper)
        assert back.upper == pytest.approx(-there.lower)
        assert back.p_value == pytest.approx(there.p_value)
        assert back.wilcoxon_p_value == pytest.approx(there.wilcoxon_p_value)
        assert (back.expected, back.perceived) == (there.perceived, there.expected)


@settings(deadline=None)
@given(tables=paired_tables, confidence=st.floats(min_value=0.5, max_value=0.999))
def test_item_gaps_match_scipy_ttest_rel_on_complete_pairs(tables, confidence):
    expected, perceived = np.asarray(tables[0]), np.asarray(tables[1])
    result = _gaps_or_none(expected, perceived, confidence=confidence)
    if result is None:
        return
    for j, gap in enumerate(result.items):
        keep = ~(np.isnan(expected[:, j]) | np.isnan(perceived[:, j]))
        assert gap.n == keep.sum()
        assert gap.n_missing == (~keep).sum()
        values = (gap.value, gap.lower, gap.upper, gap.p_value)
        assert all(math.isfinite(x) for x in values)
        assert gap.lower <= gap.value <= gap.upper
        assert 0 <= gap.p_value <= 1
        if gap.std > 1e-9:
            reference = stats.ttest_rel(perceived[keep, j], expected[keep, j])
            interval = reference.confidence_interval(confidence)
            assert gap.p_value == pytest.approx(reference.pvalue, rel=1e-9, abs=1e-12)
            assert gap.lower == pytest.approx(interval.low, rel=1e-9, abs=1e-9)
            assert gap.upper == pytest.approx(interval.high, rel=1e-9, abs=1e-9)


@settings(deadline=None)
@given(tables=paired_tables, scale=st.floats(min_value=0.1, max_value=10))
def test_weights_only_matter_relatively(tables, scale):
    expected, perceived = tables
    weights = np.linspace(1, 2, len(expected))
    base = _gaps_or_none(expected, perceived, weights=weights)
    if base is None:
        return
    scaled = gaps(expected, perceived, weights=weights * scale)
    for one, other in zip(base.items, scaled.items, strict=True):
        assert other.value == pytest.approx(one.value, abs=1e-9)
        assert other.lower == pytest.approx(one.lower, abs=1e-6)
        assert other.n_effective == pytest.approx(one.n_effective)


def test_gap_from_moments_equals_the_gap_of_the_rows():
    # The five sums are sufficient: the same gap, interval and p as the row-level computation.
    expected = np.array([6, 7, 5, 6, 7, 4, 6], dtype=float)
    perceived = np.array([4, 6, 5, 3, 6, 4, 5], dtype=float)
    rows = gaps(expected, perceived).items[0]
    moments = gap_from_moments(
        "1",
        len(expected),
        expected.sum(),
        perceived.sum(),
        (expected**2).sum(),
        (perceived**2).sum(),
        (expected * perceived).sum(),
    )
    for field in ("value", "lower", "upper", "std", "p_value", "expected", "perceived"):
        assert getattr(moments, field) == pytest.approx(getattr(rows, field)), field
    with pytest.raises(NotEnoughData):
        gap_from_moments("1", 1, 5, 4, 25, 16, 20)
