"""Randomised order, the same for one respondent on every visit: the options of a question
marked `randomize`, and the questions of a page marked `shuffle` among themselves (a block).

The order comes from the response's code, so a reload or a return to the page shows what the
respondent saw before, and different respondents see different orders (against order bias).
"""

import dataclasses
import random


def _generator(seed: str, salt: str) -> random.Random:
    return random.Random(f"{seed}:{salt}")  # noqa: S311 - an order, not a secret


def arranged(shown: list, seed: str, page: int) -> list:
    """`shown` (pairs of a question and more) with its `shuffle` questions permuted among
    their own places."""
    places = [
        i for i, (lq, *_rest) in enumerate(shown) if (lq.question.settings or {}).get("shuffle")
    ]
    moved = [shown[i] for i in places]
    _generator(seed, f"page-{page}").shuffle(moved)
    result = list(shown)
    for place, item in zip(places, moved, strict=True):
        result[place] = item
    return result


def with_options_in_order(lq, seed: str):
    """The question with its options shuffled for this respondent, if it is `randomize`."""
    if not (lq.question.settings or {}).get("randomize") or not lq.choices:
        return lq
    choices = list(lq.choices)
    _generator(seed, lq.key).shuffle(choices)
    return dataclasses.replace(lq, choices=choices)
