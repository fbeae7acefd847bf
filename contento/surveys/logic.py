"""Display logic: show a question only when earlier answers meet a condition.

A condition is `{"question": <key>, "op": <operator>, "value": <value>}`, or several joined as
`{"all": [<condition>, ...]}` (every one met) or `{"any": [...]}` (at least one). What is
compared depends on the earlier question's type (`QuestionType.comparable`): the number of a
scale, the key of a single choice, the set of keys of a multiple choice (`eq` then means
"includes"), the mean of a matrix, the gap of an expectation item. `answered` and
`not_answered` take no value.
"""

from typing import Any

OPERATORS = ("eq", "neq", "lt", "lte", "gt", "gte", "in", "not_in", "answered", "not_answered")
JOINS = ("all", "any")
MAX_CONDITIONS = 10
_ORDERED = {"lt", "lte", "gt", "gte"}


def parts(logic: dict) -> tuple[str, list[dict]]:
    """Return how a condition joins ("all" or "any") and its simple conditions."""
    for join in JOINS:
        if join in logic:
            return join, list(logic[join])
    return "all", [logic]


def referenced_keys(logic: dict | None) -> set[str]:
    """The keys of the questions a condition looks at."""
    if not logic:
        return set()
    return {part.get("question") for part in parts(logic)[1] if isinstance(part, dict)}


def condition_errors(logic: Any, earlier_kinds: dict[str, str]) -> list[tuple[str, str]]:
    """Return (field, message) pairs for a malformed condition.

    `earlier_kinds` maps the keys of the questions that come before this one to their type.
    """
    if isinstance(logic, dict) and any(join in logic for join in JOINS):
        if len(logic) != 1:
            return [("show_if", "must hold either all or any, and nothing else")]
        join, conditions = next(iter(logic.items()))
        if not isinstance(conditions, list) or not conditions:
            return [(f"show_if.{join}", "needs a non-empty list of conditions")]
        if len(conditions) > MAX_CONDITIONS:
            return [(f"show_if.{join}", f"at most {MAX_CONDITIONS} conditions")]
        errors = []
        for index, condition in enumerate(conditions):
            for name, message in _simple_errors(condition, earlier_kinds):
                errors.append((name.replace("show_if", f"show_if.{join}[{index}]", 1), message))
        return errors
    return _simple_errors(logic, earlier_kinds)


def _simple_errors(logic: Any, earlier_kinds: dict[str, str]) -> list[tuple[str, str]]:
    if not isinstance(logic, dict):
        return [("show_if", "must be an object with question, op and value")]
    key, op = logic.get("question"), logic.get("op")
    if not isinstance(key, str) or key not in earlier_kinds:
        return [("show_if.question", f"{key!r} is not a question that comes before this one")]
    if not isinstance(op, str) or op not in OPERATORS:
        return [("show_if.op", f"{op!r} is not one of {', '.join(OPERATORS)}")]
    value = logic.get("value")
    if op in ("answered", "not_answered"):
        return []
    if op in ("in", "not_in"):
        if not isinstance(value, list) or not value:
            return [("show_if.value", f"{op} needs a non-empty list")]
        return []
    if value is None:
        return [("show_if.value", f"{op} needs a value")]
    kind = earlier_kinds[key]
    if op in _ORDERED and kind in ("single", "multiple", "text"):
        return [("show_if.op", f"{op} cannot compare the answers of a {kind} question")]
    if kind == "text" and op in ("eq", "neq"):
        return [("show_if.op", "only answered or not_answered apply to an open-text question")]
    return []


def evaluate(logic: dict | None, values: dict[str, Any], types: dict[str, Any]) -> bool:
    """Return whether a question with condition `logic` is shown, given the answers so far."""
    if not logic:
        return True
    join, conditions = parts(logic)
    met = (_evaluate_one(condition, values, types) for condition in conditions)
    return all(met) if join == "all" else any(met)


def _evaluate_one(logic: dict, values: dict[str, Any], types: dict[str, Any]) -> bool:
    key, op, expected = logic["question"], logic["op"], logic.get("value")
    raw = values.get(key)
    answered = raw not in (None, "", [], {})
    if op == "answered":
        return answered
    if op == "not_answered":
        return not answered
    if not answered:
        # Nothing to compare with: a condition on an unanswered question is not met.
        return False
    actual = types[key].comparable(raw)
    if isinstance(actual, set):
        wanted = set(expected) if isinstance(expected, list) else {expected}
        hit = bool(actual & wanted)
        return {"eq": hit, "in": hit, "neq": not hit, "not_in": not hit}.get(op, False)
    if op == "in":
        return actual in expected
    if op == "not_in":
        return actual not in expected
    try:
        if op == "eq":
            return actual == expected or str(actual) == str(expected)
        if op == "neq":
            return not (actual == expected or str(actual) == str(expected))
        expected_number = float(expected)
        return {
            "lt": actual < expected_number,
            "lte": actual <= expected_number,
            "gt": actual > expected_number,
            "gte": actual >= expected_number,
        }[op]
    except (TypeError, ValueError):
        return False
