"""Tests for contento.stats.reliability: published numbers first, then properties."""

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from contento.stats.reliability import _feldt, cronbach_alpha
from contento.stats.scores import NotEnoughData

# pingouin's "cronbach_alpha" data set (pingouin/datasets/cronbach_alpha.csv, long format
# Subj × Items × Scores): 15 respondents × 10 Likert items Q1..Q10, no missing answers.
# Transcribed column by column (one list per item).
PINGOUIN_LIKERT = np.array(
    [
        [3, 5, 7, 2, 6, 1, 4, 2, 6, 5, 4, 4, 5, 6, 4],
        [2, 4, 3, 4, 5, 2, 3, 4, 5, 4, 3, 2, 5, 5, 3],
        [4, 6, 5, 3, 6, 3, 5, 4, 5, 6, 5, 3, 6, 5, 5],
        [1, 3, 5, 3, 5, 4, 3, 3, 5, 4, 2, 2, 2, 4, 5],
        [4, 5, 6, 2, 4, 2, 5, 7, 1, 3, 5, 5, 3, 2, 3],
        [5, 1, 4, 2, 4, 5, 2, 2, 6, 5, 3, 3, 3, 2, 1],
        [1, 2, 3, 2, 4, 2, 1, 2, 5, 3, 2, 4, 2, 1, 3],
        [4, 5, 3, 6, 6, 3, 2, 4, 2, 1, 3, 2, 4, 4, 2],
        [3, 5, 6, 6, 7, 5, 4, 6, 3, 7, 4, 3, 4, 6, 3],
        [2, 5, 5, 3, 5, 2, 3, 5, 2, 2, 1, 4, 5, 5, 4],
    ]
).T

# pingouin's "cronbach_wide_missing" data set (pingouin/datasets/cronbach_wide_missing.csv):
# 12 respondents × 11 binary items, 4 missing answers in 3 rows.
NA = math.nan
PINGOUIN_BINARY_MISSING = [
    [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
    [1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 0],
    [NA, 0, 1, 1, NA, 1, 1, 1, 1, 0, 0],
    [1, 1, 1, 0, 1, 1, 0, 1, 1, 0, 0],
    [1, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0],
    [0, 1, NA, 0, 1, 1, 1, 1, 0, 0, 0],
    [1, 1, 1, 1, 0, 0, 1, 0, 0, 0, 0],
    [1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0],
    [0, 1, 0, 1, 1, 0, 0, 0, 0, 1, 0],
    [1, 0, 0, 1, 0, 1, 0, 0, NA, 0, 0],
    [1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0],
    [1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0],
]

# Hand-computed example, 4 respondents × 3 items (rows are respondents).
SMALL = [[1, 2, 2], [2, 3, 3], [3, 3, 4], [4, 4, 5]]


# --- Published and hand-computed numbers -----------------------------------------------------


def test_alpha_matches_pingouin_documentation_likert_example():
    # Published: pingouin.cronbach_alpha docstring example, "Likert-type long-format
    # dataframe": (0.5917188485995826, array([0.195, 0.84 ])), the interval rounded to 3
    # decimals. pingouin says its results are tested against R psych::alpha, and its interval
    # is the same Feldt F interval (df1 = n − 1 = 14, df2 = 14 · 9 = 126).
    result = cronbach_alpha(PINGOUIN_LIKERT)
    assert result.value == pytest.approx(0.5917188485995826, rel=1e-12)
    assert result.lower == pytest.approx(0.195, abs=5e-4)
    assert result.upper == pytest.approx(0.840, abs=5e-4)
    assert (result.n, result.k, result.n_missing, result.method) == (15, 10, 0, "feldt")


def test_alpha_with_missing_answers_drops_whole_rows():
    # Published: pingouin.cronbach_alpha docstring, listwise deletion ("In R:
    # psych::alpha(data, use='complete.obs')"): alpha = 0.8016949152542373 from the 9 complete
    # rows. pingouin's printed interval [0.581, 0.933] takes n = 12 (it counts rows before
    # dropping the incomplete ones); the Feldt formula with n = 12 reproduces it exactly,
    # while we use the 9 respondents the alpha is computed from, so ours is wider.
    result = cronbach_alpha(PINGOUIN_BINARY_MISSING)
    assert result.value == pytest.approx(0.8016949152542373, rel=1e-12)
    assert (result.n, result.n_missing, result.k) == (9, 3, 11)
    assert _feldt(result.value, 12, 11, 0.95) == pytest.approx((0.581, 0.933), abs=5e-4)
    assert result.lower < 0.581
    assert result.upper > 0.933


def test_alpha_hand_computed_step_by_step():
    # Hand-computed. Items (columns) 1,2,3,4 / 2,3,3,4 / 2,3,4,5; totals 5, 8, 10, 13.
    #   item variances (n − 1): 5/3, 2/3, 5/3 → Σσᵢ² = 4
    #   total variance: mean 9, squares 16 + 1 + 1 + 16 = 34 → 34/3
    #   α = 3/2 · (1 − 4/(34/3)) = 3/2 · 22/34 = 33/34 = 0.970588
    # Alpha if deleted:
    #   without item 1: 2/3 + 5/3 = 7/3; totals 4, 6, 7, 9 → 13/3; α = 2(1 − 7/13) = 12/13
    #   without item 2: 10/3; totals 3, 5, 7, 9 → 20/3; α = 2(1 − 10/20) = 1
    #   without item 3: 7/3; totals 3, 5, 6, 8 → 13/3; α = 12/13
    # Feldt 95%, df (3, 6): F(0.975; 3, 6) = 6.5988 and F(0.025; 3, 6) = 1/F(0.975; 6, 3)
    # = 1/14.735 (standard F tables) → 1 − 6.5988/34 = 0.80592, 1 − 0.067867/34 = 0.998004.
    result = cronbach_alpha(SMALL, item_names=["a", "b", "c"])
    assert result.value == pytest.approx(33 / 34)
    assert result.alpha_if_deleted == pytest.approx((12 / 13, 1.0, 12 / 13))
    assert result.items == ("a", "b", "c")
    assert result.lower == pytest.approx(1 - 6.5988 / 34, abs=1e-5)
    assert result.upper == pytest.approx(1 - 1 / 14.735 / 34, abs=1e-5)


def test_alpha_of_two_items_has_no_alpha_if_deleted():
    result = cronbach_alpha([[1, 2], [2, 2], [3, 5]])
    assert result.alpha_if_deleted == (None, None)
    assert json.loads(json.dumps(result.as_dict())) == result.as_dict()


def test_weights_act_like_repeated_respondents_for_the_point_estimate():
    # Weight 2 on a row gives the same weighted variances as the row twice; weight 0 ignores it.
    weighted = cronbach_alpha(SMALL + [[9, 9, 9]], weights=[2, 1, 1, 1, 0])
    repeated = cronbach_alpha([SMALL[0]] + SMALL)
    assert weighted.value == pytest.approx(repeated.value)
    assert weighted.n == 4
    assert repeated.n == 5
    assert weighted.n_effective == pytest.approx(25 / 7)  # (Σw)²/Σw² = 5²/7


# --- Degenerate and invalid input ------------------------------------------------------------


@pytest.mark.parametrize(
    "items",
    [
        [],
        [[]],
        np.empty((0, 3)),
        [[1, 2, 3]],  # one respondent
        [[1], [2], [3]],  # one item
        [[3, 3], [3, 3], [3, 3]],  # identical answers: zero variance
        [[1, 5], [2, 4], [3, 3]],  # every total is 6: zero total variance
        [[NA, 1], [2, NA]],  # no complete row
    ],
)
def test_degenerate_input_raises_not_enough_data(items):
    with pytest.raises(NotEnoughData):
        cronbach_alpha(items)


def test_zero_weights_leave_too_few_respondents():
    with pytest.raises(NotEnoughData):
        cronbach_alpha(SMALL, weights=[1, 0, 0, 0])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: cronbach_alpha([[1, math.inf], [2, 3]]), "finite"),
        (lambda: cronbach_alpha([1, 2, 3]), "two-dimensional"),
        (lambda: cronbach_alpha([["a", "b"], ["c", "d"]]), "numbers"),
        (lambda: cronbach_alpha([[1, 2], [3]]), "numbers"),
        (lambda: cronbach_alpha(SMALL, weights=[1, 1]), "one entry per respondent"),
        (lambda: cronbach_alpha(SMALL, weights=[1, 1, -1, 1]), "non-negative"),
        (lambda: cronbach_alpha(SMALL, weights=[1, 1, NA, 1]), "finite"),
        (lambda: cronbach_alpha(SMALL, confidence=1.5), "confidence"),
        (lambda: cronbach_alpha(SMALL, item_names=["a", "b"]), "names for 3 items"),
        (lambda: cronbach_alpha(SMALL, item_names=["a", "a", "b"]), "unique"),
    ],
)
def test_invalid_input_raises_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_negative_alpha_is_reported_not_hidden():
    # Items that disagree give alpha < 0 (Cronbach's formula has no floor); still finite.
    result = cronbach_alpha([[1, 5], [2, 3], [3, 4], [5, 1]])
    assert result.value < 0
    assert all(math.isfinite(x) for x in (result.value, result.lower, result.upper))


# --- Properties --------------------------------------------------------------------------------

answers = st.integers(1, 7)
tables = st.integers(2, 6).flatmap(
    lambda k: st.lists(st.lists(answers, min_size=k, max_size=k), min_size=2, max_size=40)
)


def _alpha_or_none(table, **kwargs):
    try:
        return cronbach_alpha(table, **kwargs)
    except NotEnoughData:
        return None


@settings(deadline=None)
@given(table=tables, confidence=st.floats(min_value=0.5, max_value=0.999))
def test_alpha_is_at_most_one_and_inside_its_interval(table, confidence):
    result = _alpha_or_none(table, confidence=confidence)
    if result is None:  # zero total variance
        return
    values = (result.value, result.lower, result.upper)
    assert all(math.isfinite(x) for x in values)
    assert result.lower <= result.value <= result.upper <= 1
    for value in result.alpha_if_deleted:
        assert value is None or (math.isfinite(value) and value <= 1)


@settings(deadline=None)
@given(table=tables, order=st.randoms(use_true_random=False), shift=st.integers(-5, 5))
def test_alpha_ignores_row_order_item_order_and_item_shifts(table, order, shift):
    base = _alpha_or_none(table)
    if base is None:
        return
    rows = list(table)
    order.shuffle(rows)
    columns = list(range(len(table[0])))
    order.shuffle(columns)
    moved = np.asarray(rows, dtype=float)[:, columns]
    moved[:, 0] += shift  # alpha depends on covariances only
    again = cronbach_alpha(moved)
    assert again.value == pytest.approx(base.value, abs=1e-9)
    assert again.lower == pytest.approx(base.lower, abs=1e-9)
    for position, column in enumerate(columns):
        before, after = base.alpha_if_deleted[column], again.alpha_if_deleted[position]
        assert (before is None) == (after is None)
        if before is not None:
            assert after == pytest.approx(before, abs=1e-9)


@settings(deadline=None)
@given(
    alpha=st.floats(min_value=-3, max_value=0.999),
    n=st.integers(2, 500),
    k=st.integers(2, 40),
    confidence=st.floats(min_value=0.5, max_value=0.999),
)
def test_feldt_interval_uses_f_quantiles(alpha, n, k, confidence):
    # Feldt (1965): (1 − α)/(1 − α̂) ~ F(n − 1, (n − 1)(k − 1)); the limits are the α/2 and
    # 1 − α/2 quantiles from scipy, read the other way round (Feldt et al. 1987, p. 95).
    df1, df2 = n - 1, (n - 1) * (k - 1)
    tail = (1 - confidence) / 2
    lower, upper = _feldt(alpha, n, k, confidence)
    assert lower == pytest.approx(1 - (1 - alpha) * stats.f.ppf(1 - tail, df1, df2))
    expected_upper = 1 - (1 - alpha) * stats.f.ppf(tail, df1, df2)
    assert upper == pytest.approx(max(expected_upper, alpha))
    assert lower <= alpha <= upper <= 1
