"""Tests for contento.stats.kano: the published evaluation table, then counts and properties."""

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contento.stats.kano import kano, kano_category, kano_from_counts
from contento.stats.scores import NotEnoughData

# --- The published evaluation table ----------------------------------------------------------


@pytest.mark.parametrize(
    ("functional", "dysfunctional", "category"),
    [
        # Berger, C. et al. (1993) "Kano's methods for understanding customer-defined
        # quality", Center for Quality of Management Journal 2(4), the Kano evaluation table.
        # Rows: functional answer; columns: dysfunctional answer; 1 like, 2 must-be,
        # 3 neutral, 4 live-with, 5 dislike. Written out cell by cell, not read from the module.
        (1, 1, "Q"),
        (1, 2, "A"),
        (1, 3, "A"),
        (1, 4, "A"),
        (1, 5, "O"),
        (2, 1, "R"),
        (2, 2, "I"),
        (2, 3, "I"),
        (2, 4, "I"),
        (2, 5, "M"),
        (3, 1, "R"),
        (3, 2, "I"),
        (3, 3, "I"),
        (3, 4, "I"),
        (3, 5, "M"),
        (4, 1, "R"),
        (4, 2, "I"),
        (4, 3, "I"),
        (4, 4, "I"),
        (4, 5, "M"),
        (5, 1, "R"),
        (5, 2, "R"),
        (5, 3, "R"),
        (5, 4, "R"),
        (5, 5, "Q"),
    ],
)
def test_evaluation_table_matches_berger_et_al_1993(functional, dysfunctional, category):
    assert kano_category(functional, dysfunctional) == category
    names = {1: "like", 2: "must-be", 3: "neutral", 4: "live-with", 5: "dislike"}
    assert kano_category(names[functional], names[dysfunctional]) == category
    result = kano([[functional]], [[dysfunctional]])
    assert result.categories == ((category,),)


@pytest.mark.parametrize(
    ("answer", "code"),
    [
        ("Like", 1),
        ("MUST BE", 2),
        ("must_be", 2),
        (" neutral ", 3),
        ("Live with", 4),
        ("live-with", 4),
        ("dislike", 5),
        ("5", 5),
        (5.0, 5),
        (np.int64(2), 2),
    ],
)
def test_answers_as_names_or_codes(answer, code):
    # Like × X is A for X in 2..4, O for dislike, Q for like: enough to tell the codes apart.
    expected = {1: "Q", 2: "A", 3: "A", 4: "A", 5: "O"}[code]
    assert kano_category("like", answer) == expected


# --- Counts, modal category, better/worse ------------------------------------------------------


def test_counts_modal_category_and_better_worse_hand_computed():
    # Hand-computed (no exact published example at hand): A 10, O 5, M 3, I 2, R 0, Q 1.
    #   better = (A + O)/(A + O + M + I) = 15/20 = 0.75
    #   worse = −(O + M)/(A + O + M + I) = −8/20 = −0.4 (Berger et al. 1993); R and Q are left
    #   out of both, but counted in n.
    feature = kano_from_counts({"A": 10, "O": 5, "M": 3, "I": 2, "R": 0, "Q": 1}, name="dark mode")
    assert (feature.name, feature.n, feature.category, feature.tie_broken) == (
        "dark mode",
        21,
        "A",
        False,
    )
    assert (feature.better, feature.worse) == (0.75, -0.4)
    assert json.loads(json.dumps(feature.as_dict())) == feature.as_dict()


def test_raw_answers_are_classified_and_counted_per_feature():
    # Two features, four respondents; missing answers (None, NaN) skip only that feature.
    functional = [["like", 1], ["like", 2], ["neutral", None], ["dislike", 1]]
    dysfunctional = [["dislike", 3], ["neutral", 5], ["dislike", 5], ["like", math.nan]]
    result = kano(functional, dysfunctional, ["export", "sso"])
    assert result.categories == (("O", "A"), ("A", "M"), ("M", None), ("R", None))
    export = result.feature("export")
    assert (export.n, export.one_dimensional, export.attractive, export.must_be) == (4, 1, 1, 1)
    assert (export.reverse, export.category, export.tie_broken) == (1, "M", True)
    # A + O + M + I = 3: better = 2/3, worse = −2/3.
    assert export.better == pytest.approx(2 / 3)
    assert export.worse == pytest.approx(-2 / 3)
    sso = result.feature("sso")
    assert (sso.n, sso.attractive, sso.must_be, sso.category) == (2, 1, 1, "M")
    assert json.loads(json.dumps(result.as_dict())) == result.as_dict()


@pytest.mark.parametrize(
    ("counts", "category"),
    [
        # Ties for the mode go M > O > A > I (Berger et al. 1993), then R, then Q (ours).
        ({"M": 4, "O": 4, "A": 4, "I": 4}, "M"),
        ({"O": 4, "A": 4, "I": 4}, "O"),
        ({"A": 4, "I": 4, "R": 4}, "A"),
        ({"I": 4, "R": 4, "Q": 4}, "I"),
        ({"R": 4, "Q": 4}, "R"),
        ({"Q": 4}, "Q"),
        ({"A": 5, "M": 4}, "A"),  # no tie: the mode wins whatever its rank
    ],
)
def test_tie_rule(counts, category):
    feature = kano_from_counts(counts)
    assert feature.category == category
    assert feature.tie_broken == (list(counts.values()).count(max(counts.values())) > 1)


def test_coefficients_are_none_when_every_answer_is_reverse_or_questionable():
    feature = kano_from_counts({"R": 3, "Q": 1})
    assert (feature.better, feature.worse, feature.category) == (None, None, "R")


def test_worse_is_zero_not_negative_zero_without_o_or_m():
    feature = kano_from_counts({"attractive": 3, "indifferent": 1})
    assert feature.worse == 0
    assert math.copysign(1, feature.worse) == 1
    assert feature.better == 0.75


def test_counts_accept_names_in_any_case():
    by_name = kano_from_counts({"Attractive": 2, "one-dimensional": 1, "must_be": 1, "I": 0})
    assert by_name == kano_from_counts({"A": 2, "O": 1, "M": 1})


# --- Degenerate and invalid input ------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda: kano([], []),
        lambda: kano(np.empty((0, 2)), np.empty((0, 2))),
        lambda: kano([[None], [None]], [[1], [2]]),  # the feature has no answered pair
        lambda: kano_from_counts({}),
        lambda: kano_from_counts({"A": 0, "Q": 0}),
    ],
)
def test_no_answers_raise_not_enough_data(call):
    with pytest.raises(NotEnoughData):
        call()


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: kano_category(6, 1), "1..5"),
        (lambda: kano_category(0, 1), "1..5"),
        (lambda: kano_category(2.5, 1), "1..5"),
        (lambda: kano_category("love it", 1), "like, must-be"),
        (lambda: kano_category(True, 1), "1..5"),
        (lambda: kano_category(None, 1), "Both answers"),
        (lambda: kano([1, 2], [1]), "same shape"),
        (lambda: kano([[1, 2], [1]], [[1, 2], [1]]), "respondents × features"),
        (lambda: kano([1, 2], [3, 4], ["a", "b"]), "2 names for 1 columns"),
        (lambda: kano([[1, 2]], [[3, 4]], ["a", "a"]), "unique"),
        (lambda: kano_from_counts({"X": 3}), "Unknown Kano category"),
        (lambda: kano_from_counts({"A": -1}), "non-negative integers"),
        (lambda: kano_from_counts({"A": 1.5}), "non-negative integers"),
        (lambda: kano_from_counts({"A": 1, "attractive": 2}), "twice"),
    ],
)
def test_invalid_input_raises_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# --- Properties --------------------------------------------------------------------------------

category_counts = st.fixed_dictionaries({letter: st.integers(0, 200) for letter in "AOMIRQ"})


@settings(deadline=None)
@given(counts=category_counts)
def test_better_and_worse_stay_in_range(counts):
    if sum(counts.values()) == 0:
        return
    feature = kano_from_counts(counts)
    assert feature.n == sum(counts.values())
    assert counts[feature.category] == max(counts.values())
    if counts["A"] + counts["O"] + counts["M"] + counts["I"] == 0:
        assert feature.better is None
        assert feature.worse is None
    else:
        assert 0 <= feature.better <= 1
        assert -1 <= feature.worse <= 0


answer = st.one_of(st.integers(1, 5), st.none())


@settings(deadline=None)
@given(
    rows=st.integers(1, 3).flatmap(
        lambda k: st.lists(
            st.tuples(
                st.lists(answer, min_size=k, max_size=k), st.lists(answer, min_size=k, max_size=k)
            ),
            min_size=1,
            max_size=40,
        )
    )
)
def test_raw_answers_and_their_category_counts_agree(rows):
    functional = [f for f, _ in rows]
    dysfunctional = [d for _, d in rows]
    try:
        result = kano(functional, dysfunctional)
    except NotEnoughData:
        return
    for j, feature in enumerate(result.features):
        column = [row[j] for row in result.categories if row[j] is not None]
        counts = {letter: column.count(letter) for letter in "AOMIRQ"}
        assert kano_from_counts(counts, name=feature.name) == feature
        for row, f_row, d_row in zip(result.categories, functional, dysfunctional, strict=True):
            if f_row[j] is None or d_row[j] is None:
                assert row[j] is None
            else:
                assert row[j] == kano_category(f_row[j], d_row[j])
