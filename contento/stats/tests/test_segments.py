"""Tests for contento.stats.segments: published numbers first, then properties.

Each pinned number says where it comes from: "published" numbers are printed in the cited
source; "hand-computed" ones are worked out in the comment; "cross-check" compares with an
independent implementation (scipy).
"""

import json
import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import stats

from contento.stats.scores import NotEnoughData
from contento.stats.segments import (
    benjamini_hochberg,
    compare_segments,
    crosstab_test,
    two_proportion_test,
    welch_test,
    welch_test_samples,
)

# Agresti, A. (2007) An Introduction to Categorical Data Analysis, 2nd ed., Wiley, Table 2.5:
# party identification by gender (General Social Survey); rows females, males; columns
# Democrat, Independent, Republican. Also the example of R's ?chisq.test.
PARTY_BY_GENDER = [[762, 327, 468], [484, 239, 477]]

# Benjamini & Hochberg (1995) JRSS B 57(1):289–300: the 15 p-values of their worked example.
BH_1995 = [
    0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344,
    0.0459, 0.3240, 0.4262, 0.5719, 0.6528, 0.7590, 1.000,
]  # fmt: skip

# Student's sleep data (R's `sleep`, Cushny & Peebles 1905): extra hours of sleep, two drugs.
SLEEP_1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
SLEEP_2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]


# --- Published and hand-computed numbers -----------------------------------------------------


def test_crosstab_matches_agresti_party_identification():
    result = crosstab_test(PARTY_BY_GENDER)
    # Published: Agresti (2007) §2.4, X² = 30.1 on df = 2; R's chisq.test prints
    # X-squared = 30.07, df = 2, p-value = 2.954e-07 for the same table.
    assert result.statistic == pytest.approx(30.07, abs=5e-3)
    assert result.df == 2
    assert result.p_value == pytest.approx(2.954e-7, rel=5e-4)
    assert result.method == "pearson"
    # Published: Agresti (2007) Table 2.5 expected frequencies in parentheses.
    expected = [[703.7, 319.6, 533.7], [542.3, 246.4, 411.3]]
    assert np.allclose(result.expected, expected, atol=0.05)
    # Published: Agresti (2007) Table 2.6 adjusted (standardized) residuals.
    residuals = [[4.50, 0.70, -5.32], [-4.50, -0.70, 5.32]]
    assert np.allclose(result.residuals, residuals, atol=5e-3)
    # Hand-computed: V = √(30.0701 / (2757 · (2 − 1))) = 0.10444.
    assert result.cramers_v == pytest.approx(0.104436, abs=1e-6)
    assert result.n == 2757
    assert result.observed == tuple(map(tuple, PARTY_BY_GENDER))
    assert not result.low_expected
    assert result.cells_below_5 == 0


def test_crosstab_agrees_with_scipy():
    # Cross-check: scipy's chi2_contingency (no continuity correction) and association().
    reference = stats.chi2_contingency(PARTY_BY_GENDER, correction=False)
    result = crosstab_test(PARTY_BY_GENDER)
    assert result.statistic == pytest.approx(reference.statistic, rel=1e-12)
    assert result.p_value == pytest.approx(reference.pvalue, rel=1e-9)
    assert np.allclose(result.expected, reference.expected_freq)
    cramer = stats.contingency.association(PARTY_BY_GENDER, method="cramer")
    assert result.cramers_v == pytest.approx(cramer, rel=1e-12)


def test_crosstab_flags_small_expected_counts():
    # Hand-computed: margins all 4, n = 8, every expected count is 4·4/8 = 2 < 5.
    # X² = 4 · (3 − 2)²/2 = 2; adjusted residual (3 − 2)/√(2 · ½ · ½) = √2.
    result = crosstab_test([[3, 1], [1, 3]])
    assert result.low_expected
    assert result.cells_below_5 == 4
    assert result.min_expected == 2.0
    assert result.statistic == pytest.approx(2.0)
    assert result.residuals[0][0] == pytest.approx(math.sqrt(2))


def test_crosstab_leaves_out_empty_rows_and_columns():
    base = crosstab_test(PARTY_BY_GENDER)
    padded = crosstab_test([[762, 0, 327, 468], [0, 0, 0, 0], [484, 0, 239, 477]])
    assert padded.statistic == pytest.approx(base.statistic)
    assert padded.df == base.df == 2
    assert padded.expected[1] == (0.0, 0.0, 0.0, 0.0)
    assert padded.residuals[1] == (0.0, 0.0, 0.0, 0.0)
    assert [row[1] for row in padded.residuals] == [0.0, 0.0, 0.0]


def test_two_by_two_chi_square_is_the_squared_two_proportion_z():
    # Cross-check: for a 2×2 table Pearson's X² equals z² of the pooled z test.
    table = crosstab_test([[56, 14], [48, 32]])
    test = two_proportion_test(56, 70, 48, 80)
    assert table.statistic == pytest.approx(test.z**2, rel=1e-12)
    assert table.p_value == pytest.approx(test.p_value, rel=1e-9)


def test_two_proportion_test_hand_computed_and_newcombe_interval():
    # Hand-computed: 56/70 vs 48/80, p̄ = 104/150 = 0.693333,
    # se0 = √(0.693333 · 0.306667 · (1/70 + 1/80)) = 0.075467, z = 0.2 / 0.075467 = 2.65017,
    # p = 2(1 − Φ(2.65017)) = 0.008045.
    # Published: Newcombe (1998) Statistics in Medicine 17:873–890, Table II, method 10:
    # 0.0524 to 0.3339.
    result = two_proportion_test(56, 70, 48, 80)
    assert result.value == pytest.approx(0.2)
    assert result.z == pytest.approx(2.65017, abs=5e-5)
    assert result.p_value == pytest.approx(0.008045, abs=1e-6)
    assert result.lower == pytest.approx(0.0524, abs=5e-5)
    assert result.upper == pytest.approx(0.3339, abs=5e-5)
    assert (result.rate_a, result.rate_b, result.n_a, result.n_b) == (0.8, 0.6, 70, 80)
    assert result.pooled == pytest.approx(104 / 150)


def test_two_proportion_test_with_no_successes_anywhere():
    # p̄ = 0: the rates are equal, z = 0 and p = 1 (no NaN). Published interval: Newcombe
    # (1998) Table II, 0/10 − 0/20 → −0.1611 to 0.2775.
    result = two_proportion_test(0, 10, 0, 20)
    assert (result.value, result.z, result.p_value) == (0.0, 0.0, 1.0)
    assert result.lower == pytest.approx(-0.1611, abs=5e-5)
    assert result.upper == pytest.approx(0.2775, abs=5e-5)


def test_welch_matches_r_on_the_sleep_data():
    # Published: R's documentation example t.test(extra ~ group, data = sleep) (Welch):
    # t = -1.8608, df = 17.776, p-value = 0.07939, 95% CI -3.3654832 to 0.2054832.
    result = welch_test_samples(SLEEP_1, SLEEP_2)
    assert result.t == pytest.approx(-1.8608, abs=5e-5)
    assert result.df == pytest.approx(17.776, abs=5e-4)
    assert result.p_value == pytest.approx(0.07939, abs=5e-6)
    assert result.lower == pytest.approx(-3.3654832, abs=1e-7)
    assert result.upper == pytest.approx(0.2054832, abs=1e-7)
    assert result.value == pytest.approx(0.75 - 2.33)
    assert result.method == "welch"
    assert (result.n_a, result.n_b, result.n) == (10, 10, 20)
    # The same test from summary statistics (what a rollup keeps).
    summary = welch_test(
        np.mean(SLEEP_1),
        np.std(SLEEP_1, ddof=1),
        10,
        np.mean(SLEEP_2),
        np.std(SLEEP_2, ddof=1),
        10,
    )
    assert summary.t == pytest.approx(result.t, rel=1e-12)
    assert summary.upper == pytest.approx(result.upper, rel=1e-12)


def test_welch_with_one_constant_group_uses_the_other_groups_df():
    # Hand-computed: s₂ = 0 leaves ν = n₁ − 1 = 9 and se = s₁/√n₁ = 2/√10.
    result = welch_test(5.0, 2.0, 10, 4.0, 0.0, 30)
    assert result.df == pytest.approx(9)
    assert result.standard_error == pytest.approx(2 / math.sqrt(10))


def test_benjamini_hochberg_reproduces_the_1995_example():
    # Published: Benjamini & Hochberg (1995), at q = 0.05 the procedure rejects the four
    # smallest p-values (Bonferroni, 0.05/15 = 0.0033, would reject three).
    result = benjamini_hochberg(BH_1995, alpha=0.05)
    assert result.n_rejected == 4
    assert result.rejected == (True,) * 4 + (False,) * 11
    assert result.p_threshold == 0.0095
    # Hand-computed q-values: q₍₄₎ = 0.0095 · 15/4 = 0.035625; q₍₅₎ = 0.0201 · 15/5 = 0.0603;
    # q₍₆₎ = q₍₇₎ = 0.0298 · 15/7 = 0.0638571 (step-up minimum); q₍₁₅₎ = 1.
    assert result.q_values[3] == pytest.approx(0.035625)
    assert result.q_values[4] == pytest.approx(0.0603)
    assert result.q_values[5] == result.q_values[6] == pytest.approx(0.0298 * 15 / 7)
    assert result.q_values[-1] == 1.0
    # Cross-check: scipy.stats.false_discovery_control (BH adjusted p-values).
    assert np.allclose(result.q_values, stats.false_discovery_control(BH_1995))


def test_benjamini_hochberg_edge_cases():
    empty = benjamini_hochberg([])
    assert (empty.q_values, empty.rejected, empty.n_rejected, empty.p_threshold) == (
        (),
        (),
        0,
        None,
    )
    assert benjamini_hochberg([0.5]).q_values == (0.5,)
    assert benjamini_hochberg([0.04, 0.04]).rejected == (True, True)
    with pytest.raises(ValueError, match="between 0 and 1"):
        benjamini_hochberg([0.2, 1.5])
    with pytest.raises(ValueError, match="finite"):
        benjamini_hochberg([math.nan])
    with pytest.raises(ValueError, match="alpha"):
        benjamini_hochberg([0.1], alpha=0)


def test_compare_segments_against_the_rest_hand_computed():
    # Hand-computed. a 50/100, b 30/100, c 45/100. b against the rest (a + c = 95/200):
    #   Δ = 0.30 − 0.475 = −0.175; p̄ = 125/300; se0 = √(0.416667·0.583333·(1/100 + 1/200))
    #   = 0.060381; z = −2.89824; p = 0.0037522.
    # The other two: a vs 75/200 → p = 0.038434; c vs 80/200 → p = 0.407626.
    # BH (m = 3): sorted p 0.0037522·3/1 = 0.011257, 0.038434·3/2 = 0.057651, 0.407626.
    result = compare_segments({"a": (50, 100), "b": (30, 100), "c": (45, 100)})
    a, b, c = result.segments
    assert [s.name for s in result.segments] == ["a", "b", "c"]
    assert (b.value, b.baseline_value, b.baseline_n) == (0.3, 0.475, 200)
    assert b.difference == pytest.approx(-0.175)
    assert b.p_value == pytest.approx(0.0037522, abs=1e-7)
    assert [s.q_value for s in result.segments] == pytest.approx(
        [0.057651, 0.011257, 0.407626], abs=1e-6
    )
    assert [s.significant for s in result.segments] == [False, True, False]
    assert result.n_significant == 1
    assert result.method == "two-proportion-z"
    # Each row carries the segment's Wilson interval and the test's Newcombe interval.
    assert b.lower == pytest.approx(stats.binomtest(30, 100).proportion_ci(method="wilson").low)
    test = two_proportion_test(30, 100, 95, 200)
    assert (b.difference_lower, b.difference_upper) == (test.lower, test.upper)


def test_compare_segments_means_against_a_reference():
    # Cross-check: with a reference, each row is exactly welch_test(segment, reference).
    segments = {"web": (4.1, 1.0, 50), "email": (3.5, 1.2, 40), "sms": (4.0, 0.9, 60)}
    result = compare_segments(segments, measure="mean", reference="web")
    assert [s.name for s in result.segments] == ["email", "sms"]
    email = result.segments[0]
    direct = welch_test(3.5, 1.2, 40, 4.1, 1.0, 50)
    assert (email.difference, email.p_value) == (direct.value, direct.p_value)
    # t interval of the segment mean: 3.5 ± t(0.975; 39) · 1.2/√40.
    half = stats.t.ppf(0.975, 39) * 1.2 / math.sqrt(40)
    assert (email.lower, email.upper) == pytest.approx((3.5 - half, 3.5 + half))
    assert result.reference == "web"
    assert result.method == "welch"


def test_compare_segments_mean_rest_is_pooled_exactly_from_summaries():
    # Cross-check: the rest's mean and SD pooled from summaries equal those of the raw answers.
    rng = np.random.default_rng(1)
    raw = {
        name: rng.normal(loc, 1.0, size)
        for name, loc, size in [("a", 3, 30), ("b", 4, 20), ("c", 3.5, 25)]
    }
    summaries = {k: (v.mean(), v.std(ddof=1), len(v)) for k, v in raw.items()}
    result = compare_segments(summaries, measure="mean")
    for row in result.segments:
        rest = np.concatenate([v for k, v in raw.items() if k != row.name])
        direct = welch_test_samples(raw[row.name], rest)
        assert row.p_value == pytest.approx(direct.p_value, rel=1e-9)
        assert row.baseline_value == pytest.approx(rest.mean())
        assert row.difference_lower == pytest.approx(direct.lower, rel=1e-9)


def test_compare_segments_skips_segments_without_enough_data():
    result = compare_segments({"a": (5, 10), "empty": (0, 0), "b": (2, 10)})
    assert result.skipped == ("empty",)
    assert [s.name for s in result.segments] == ["a", "b"]
    means = compare_segments(
        {"one": (4.0, 0.0, 1), "x": (4.0, 1.0, 10), "y": (3.0, 1.0, 10), "flat": (5.0, 0.0, 3)},
        measure="mean",
        reference="flat",
    )
    assert means.skipped == ("one",)
    assert [s.name for s in means.segments] == ["x", "y"]
    # Both sides without variance: Welch's t is undefined, so the segment is skipped.
    flat = compare_segments(
        {"p": (4.0, 0.0, 5), "q": (4.0, 1.0, 5), "r": (3.0, 0.0, 5)}, measure="mean", reference="r"
    )
    assert flat.skipped == ("p",)


@pytest.mark.parametrize(
    "call",
    [
        lambda: compare_segments({"only": (5, 10)}),
        lambda: compare_segments({"a": (0, 0), "b": (0, 0)}),
        lambda: compare_segments({"a": (4.0, 0.0, 5), "b": (3.0, 0.0, 5)}, measure="mean"),
        lambda: compare_segments({"a": (1, 2), "ref": (0, 0)}, reference="ref"),
        lambda: crosstab_test([[1, 2, 3], [0, 0, 0]]),
        lambda: crosstab_test([[0, 0], [0, 0]]),
        lambda: two_proportion_test(0, 0, 1, 2),
        lambda: welch_test(1, 1, 1, 2, 1, 5),
        lambda: welch_test(1, 0, 5, 2, 0, 5),
        lambda: welch_test_samples([1.0], [1.0, 2.0]),
    ],
)
def test_too_little_data_raises_not_enough_data(call):
    with pytest.raises(NotEnoughData):
        call()


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: crosstab_test([1, 2, 3]), "two-dimensional"),
        (lambda: crosstab_test([[1, -2], [3, 4]]), "non-negative integer"),
        (lambda: crosstab_test([[1.5, 2], [3, 4]]), "non-negative integer"),
        (lambda: crosstab_test([[math.nan, 2], [3, 4]]), "non-negative integer"),
        (lambda: two_proportion_test(5, 3, 1, 2), "cannot exceed"),
        (lambda: two_proportion_test(1, 2, 1, 2, confidence=1), "confidence"),
        (lambda: welch_test(1, -1, 5, 2, 1, 5), "non-negative"),
        (lambda: welch_test(math.inf, 1, 5, 2, 1, 5), "finite"),
        (lambda: welch_test(1, 1, 5.5, 2, 1, 5), "non-negative integer"),
        (lambda: compare_segments({"a": (1, 2)}, measure="median"), "measure"),
        (lambda: compare_segments({"a": (1, 2, 3)}), r"\(successes, n\)"),
        (lambda: compare_segments({"a": (3, 2), "b": (1, 2)}), "exceed"),
        (lambda: compare_segments({"a": (1, 2)}, reference="z"), "reference"),
        (lambda: compare_segments({"a": (1, 2)}, alpha=1.5), "alpha"),
    ],
)
def test_invalid_input_raises_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_results_are_json_serialisable_without_nan():
    results = [
        crosstab_test(PARTY_BY_GENDER),
        two_proportion_test(0, 10, 0, 20),
        welch_test_samples(SLEEP_1, SLEEP_2),
        benjamini_hochberg(BH_1995),
        compare_segments({"a": (5, 10), "empty": (0, 0), "b": (2, 10)}),
    ]
    for result in results:
        json.dumps(result.as_dict(), allow_nan=False)


# --- Properties --------------------------------------------------------------------------------

tables = st.integers(2, 4).flatmap(
    lambda rows: st.integers(2, 4).flatmap(
        lambda columns: st.lists(
            st.lists(st.integers(0, 200), min_size=columns, max_size=columns),
            min_size=rows,
            max_size=rows,
        )
    )
)
p_value_lists = st.lists(st.floats(min_value=0, max_value=1), max_size=40)


@settings(deadline=None)
@given(table=tables)
def test_crosstab_properties(table):
    array = np.array(table)
    assume((array.sum(axis=1) > 0).sum() >= 2 and (array.sum(axis=0) > 0).sum() >= 2)
    result = crosstab_test(table)
    values = [result.statistic, result.p_value, result.cramers_v, result.min_expected]
    values += [x for row in result.residuals + result.expected for x in row]
    assert all(math.isfinite(x) for x in values)
    assert result.statistic >= 0
    assert 0 <= result.p_value <= 1
    assert 0 <= result.cramers_v <= 1
    assert sum(map(sum, result.expected)) == pytest.approx(result.n)
    transposed = crosstab_test(array.T)
    assert transposed.statistic == pytest.approx(result.statistic, rel=1e-9, abs=1e-12)
    for row, expected_row, residual_row in zip(
        table, result.expected, result.residuals, strict=True
    ):
        for observed, expected, residual in zip(row, expected_row, residual_row, strict=True):
            assert np.sign(residual) == np.sign(round(observed - expected, 9)) or residual == 0
    if (array.sum(axis=1) > 0).all() and (array.sum(axis=0) > 0).all():
        reference = stats.chi2_contingency(array, correction=False)
        assert result.statistic == pytest.approx(reference.statistic, rel=1e-9, abs=1e-12)
        assert result.df == reference.dof


@settings(deadline=None)
@given(p=p_value_lists, alpha=st.floats(min_value=0.001, max_value=0.5))
def test_benjamini_hochberg_properties(p, alpha):
    result = benjamini_hochberg(p, alpha)
    q = np.array(result.q_values)
    assert len(q) == len(p)
    assert (q >= np.array(p) - 1e-15).all()
    assert (q <= 1).all()
    order = np.argsort(p, kind="stable")
    assert (np.diff(q[order]) >= -1e-15).all()  # monotone in p
    assert result.rejected == tuple(bool(x <= alpha) for x in q)
    if p:
        assert np.allclose(q, stats.false_discovery_control(p), rtol=1e-12, atol=1e-15)
        # The step-up rule of the paper: reject the k smallest for the largest k with
        # p₍ₖ₎ ≤ k·alpha/m (ignoring floating-point ties on the boundary).
        ranked = np.sort(p)
        m = len(p)
        passing = [k for k in range(1, m + 1) if ranked[k - 1] <= k * alpha / m]
        boundary = any(abs(ranked[k - 1] * m / k - alpha) < 1e-12 for k in range(1, m + 1))
        if not boundary:
            assert result.n_rejected == (max(passing) if passing else 0)


@settings(deadline=None)
@given(p=p_value_lists, data=st.data())
def test_benjamini_hochberg_is_permutation_equivariant(p, data):
    order = data.draw(st.permutations(range(len(p))))
    shuffled = benjamini_hochberg([p[i] for i in order])
    original = benjamini_hochberg(p)
    assert shuffled.q_values == tuple(original.q_values[i] for i in order)


summary = st.tuples(
    st.floats(min_value=-100, max_value=100),
    st.floats(min_value=0.01, max_value=50),
    st.integers(2, 500),
)


@settings(deadline=None)
@given(a=summary, b=summary, confidence=st.floats(min_value=0.5, max_value=0.999))
def test_welch_matches_scipy_from_stats(a, b, confidence):
    # Cross-check: scipy.stats.ttest_ind_from_stats(equal_var=False).
    result = welch_test(*a, *b, confidence=confidence)
    reference = stats.ttest_ind_from_stats(*a, *b, equal_var=False)
    assert result.t == pytest.approx(reference.statistic, rel=1e-9, abs=1e-12)
    assert result.p_value == pytest.approx(reference.pvalue, rel=1e-9, abs=1e-15)
    assert result.lower <= result.value <= result.upper
    assert min(a[2], b[2]) - 1 - 1e-9 <= result.df <= a[2] + b[2] - 2 + 1e-9


rate_segments = st.dictionaries(
    st.text("abcdef", min_size=1, max_size=3),
    st.integers(0, 300).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))),
    min_size=2,
    max_size=8,
)


@settings(deadline=None)
@given(segments=rate_segments, alpha=st.floats(min_value=0.01, max_value=0.2))
def test_compare_segments_properties(segments, alpha):
    try:
        result = compare_segments(segments, alpha=alpha)
    except NotEnoughData:
        with_data = [name for name, (_, n) in segments.items() if n > 0]
        assert len(with_data) < 2
        return
    assert len(result.segments) + len(result.skipped) == len(segments)
    for row in result.segments:
        numbers = [v for v in row.as_dict().values() if isinstance(v, float)]
        assert all(math.isfinite(v) for v in numbers)
        assert 0 <= row.lower <= row.value <= row.upper <= 1
        assert row.difference_lower <= row.difference <= row.difference_upper
        assert row.q_value >= row.p_value - 1e-15
        assert row.significant == (row.q_value <= alpha)
        assert row.difference == pytest.approx(row.value - row.baseline_value)
    json.dumps(result.as_dict(), allow_nan=False)
