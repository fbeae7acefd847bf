"""Tests for contento.stats.ipa: hand-computed grids, then properties."""

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contento.stats.ipa import (
    CONCENTRATE_HERE,
    KEEP_UP_THE_GOOD_WORK,
    LOW_PRIORITY,
    POSSIBLE_OVERKILL,
    QUADRANTS,
    ipa,
)
from contento.stats.scores import NotEnoughData

# Hand-made example (no published data set is reproduced here): five attributes of a support
# desk, importance from a driver analysis (standardised coefficients) and performance as mean
# ratings on 1..7.
ITEMS = ["speed", "courtesy", "knowledge", "follow-up", "parking"]
IMPORTANCE = [0.40, 0.10, 0.35, 0.25, 0.05]
PERFORMANCE = [4.2, 6.1, 5.8, 3.9, 6.5]


# --- Hand-computed grids ---------------------------------------------------------------------


def test_mean_cuts_place_items_in_martilla_and_james_quadrants():
    # Hand-computed. Importance mean = 1.15/5 = 0.23; performance mean = 26.5/5 = 5.3.
    #   speed      0.40 ≥ 0.23, 4.2 < 5.3  → concentrate here (fix first)
    #   courtesy   0.10 < 0.23, 6.1 ≥ 5.3  → possible overkill
    #   knowledge  0.35 ≥ 0.23, 5.8 ≥ 5.3  → keep up the good work
    #   follow-up  0.25 ≥ 0.23, 3.9 < 5.3  → concentrate here
    #   parking    0.05 < 0.23, 6.5 ≥ 5.3  → possible overkill
    result = ipa(IMPORTANCE, PERFORMANCE, ITEMS)
    assert result.importance_cut == pytest.approx(0.23)
    assert result.performance_cut == pytest.approx(5.3)
    assert (result.importance_method, result.performance_method) == ("mean", "mean")
    assert [item.quadrant for item in result.items] == [
        CONCENTRATE_HERE,
        POSSIBLE_OVERKILL,
        KEEP_UP_THE_GOOD_WORK,
        CONCENTRATE_HERE,
        POSSIBLE_OVERKILL,
    ]
    assert [item.name for item in result.in_quadrant(CONCENTRATE_HERE)] == ["speed", "follow-up"]
    assert result.in_quadrant(LOW_PRIORITY) == ()
    assert json.loads(json.dumps(result.as_dict())) == result.as_dict()


def test_median_and_fixed_cuts_move_the_cross_hairs():
    # Hand-computed. Importance median = 0.25 (follow-up sits on the cut and counts as high);
    # a fixed performance cut of 4 (the midpoint of a 1..7 scale) leaves only follow-up low.
    result = ipa(IMPORTANCE, PERFORMANCE, ITEMS, importance_cut="median", performance_cut=4)
    assert result.importance_cut == 0.25
    assert result.performance_cut == 4.0
    assert (result.importance_method, result.performance_method) == ("median", "fixed")
    quadrants = {item.name: item.quadrant for item in result.items}
    assert quadrants == {
        "speed": KEEP_UP_THE_GOOD_WORK,
        "courtesy": POSSIBLE_OVERKILL,
        "knowledge": KEEP_UP_THE_GOOD_WORK,
        "follow-up": CONCENTRATE_HERE,
        "parking": POSSIBLE_OVERKILL,
    }


def test_all_four_quadrants():
    result = ipa([2, 2, 0, 0], [0, 2, 0, 2], list("abcd"), importance_cut=1, performance_cut=1)
    assert [item.quadrant for item in result.items] == list(QUADRANTS)


def test_a_value_on_the_cut_counts_as_high():
    result = ipa([1, 2, 3], [3, 2, 1], ["low", "middle", "high"], importance_cut="median")
    middle = result.items[1]
    assert middle.importance == result.importance_cut == 2
    assert middle.high_importance


def test_one_item_with_fixed_cuts_is_fine():
    (item,) = ipa([0.3], [5.0], ["only"], importance_cut=0.2, performance_cut=4).items
    assert item.quadrant == KEEP_UP_THE_GOOD_WORK


# --- Degenerate and invalid input ------------------------------------------------------------


@pytest.mark.parametrize(
    ("importance", "performance", "items", "kwargs"),
    [
        ([], [], [], {}),
        ([0.3], [5.0], ["only"], {}),  # a data-centred cut needs two different values
        ([0.2, 0.2, 0.2], [4, 5, 6], list("abc"), {}),  # identical importance
        ([0.1, 0.2], [5, 5], ["a", "b"], {"performance_cut": "median"}),
    ],
)
def test_degenerate_input_raises_not_enough_data(importance, performance, items, kwargs):
    with pytest.raises(NotEnoughData):
        ipa(importance, performance, items, **kwargs)


def test_identical_values_are_fine_with_a_fixed_cut():
    result = ipa([0.2, 0.2], [5, 5], ["a", "b"], importance_cut=0.1, performance_cut=6)
    assert [item.quadrant for item in result.items] == [CONCENTRATE_HERE, CONCENTRATE_HERE]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: ipa([1, 2], [1], ["a", "b"]), "one number per item"),
        (lambda: ipa([1, 2], [1, 2], ["a"]), "one number per item"),
        (lambda: ipa([1, math.nan], [1, 2], ["a", "b"]), "finite"),
        (lambda: ipa([1, "x"], [1, 2], ["a", "b"]), "numbers"),
        (lambda: ipa([1, 2], [1, 2], ["a", "a"]), "unique"),
        (lambda: ipa([1, 2], [1, 2], ["a", "b"], importance_cut="mode"), "'mean', 'median'"),
        (lambda: ipa([1, 2], [1, 2], ["a", "b"], performance_cut=math.inf), "finite number"),
        (lambda: ipa([1, 2], [1, 2], ["a", "b"], performance_cut=True), "finite number"),
        (lambda: ipa([1, 2], [1, 2], ["a", "b"]).in_quadrant("fix first"), "quadrant"),
    ],
)
def test_invalid_input_raises_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_a_string_is_not_a_list_of_item_names():
    with pytest.raises(TypeError):
        ipa([1, 2], [1, 2], "ab")


# --- Properties --------------------------------------------------------------------------------

values = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)
cuts = st.one_of(st.sampled_from(["mean", "median"]), values)


@settings(deadline=None)
@given(
    pairs=st.lists(st.tuples(values, values), min_size=1, max_size=30),
    importance_cut=cuts,
    performance_cut=cuts,
)
def test_quadrants_follow_the_cuts_and_partition_the_items(pairs, importance_cut, performance_cut):
    importance, performance = (list(column) for column in zip(*pairs, strict=True))
    names = [f"item {j}" for j in range(len(pairs))]
    try:
        result = ipa(
            importance,
            performance,
            names,
            importance_cut=importance_cut,
            performance_cut=performance_cut,
        )
    except NotEnoughData:
        for cut, column in ((importance_cut, importance), (performance_cut, performance)):
            if isinstance(cut, str) and np.ptp(column) == 0:
                return
        raise
    for cut, column, found in (
        (importance_cut, importance, result.importance_cut),
        (performance_cut, performance, result.performance_cut),
    ):
        if cut == "mean":
            assert found == pytest.approx(np.mean(column), rel=1e-12, abs=1e-9)
        elif cut == "median":
            assert found == np.median(column)
        else:
            assert found == cut
    for item in result.items:
        assert item.high_importance == (item.importance >= result.importance_cut)
        assert item.high_performance == (item.performance >= result.performance_cut)
        expected = {
            (True, False): CONCENTRATE_HERE,
            (True, True): KEEP_UP_THE_GOOD_WORK,
            (False, False): LOW_PRIORITY,
            (False, True): POSSIBLE_OVERKILL,
        }[item.high_importance, item.high_performance]
        assert item.quadrant == expected
    members = [item.name for quadrant in QUADRANTS for item in result.in_quadrant(quadrant)]
    assert sorted(members) == sorted(names)
