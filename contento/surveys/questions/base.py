"""What every question type does: check its definition, parse an answer, store and export it.

A question type is one module in this package with a class of the same shape; its canonical
answer value is a plain Python value (an int, a choice key, a list of keys, a dict, a string)
that both the public form and the API produce, and that display logic reads.
"""

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _


class AnswerError(ValueError):
    """An answer that the question does not accept; the message is shown to the respondent."""


@dataclass
class LocalQuestion:
    """A question with its text in one language (falling back to the survey default)."""

    question: Any
    text: str
    help_text: str = ""
    choices: list[tuple[str, str]] = field(default_factory=list)
    min_label: str = ""
    max_label: str = ""
    # The question's type (`contento.surveys.questions.get_type`), set by `localize`.
    kind: "QuestionType | None" = None

    @property
    def key(self) -> str:
        return self.question.key

    @property
    def field_name(self) -> str:
        return f"q-{self.question.key}"

    def choice_label(self, key: str) -> str:
        return dict(self.choices).get(key, key)


class QuestionType:
    """The base of every question type; subclasses override what differs."""

    kind: str = ""
    # The satisfaction metric a question of this type feeds ("nps", "csat", "ces") or None.
    metric: str | None = None
    # Whether the question has options (`choices` in the definition) or items (`items`).
    uses_choices = False
    uses_items = False
    # Whether it is answered on a numeric scale with end labels, and whether the author
    # chooses the scale's range (else the type fixes it: 0-10 for NPS).
    has_scale = False
    fixed_range = True

    @property
    def template(self) -> str:
        return f"surveys/questions/{self.kind}.html"

    # Definition -----------------------------------------------------------------------------
    def definition_errors(self, qdef: dict) -> list[tuple[str, str]]:
        """Return (field, message) pairs for what is wrong in a question's definition."""
        return []

    def settings_from_definition(self, qdef: dict) -> dict:
        return {}

    # Answers --------------------------------------------------------------------------------
    def parse_form(self, lq: LocalQuestion, data) -> Any:
        """Return the canonical value posted in a form (None when unanswered)."""
        raw = data.get(lq.field_name, "")
        return self.parse_json(lq, raw if raw != "" else None)

    def parse_json(self, lq: LocalQuestion, raw: Any) -> Any:
        """Return the canonical value from an API payload (None when unanswered)."""
        raise NotImplementedError

    def is_empty(self, value: Any) -> bool:
        return value is None or value == "" or value == [] or value == {}

    def rows(self, question, value: Any, choices: dict) -> list[dict]:
        """Return the Answer rows (as field dicts) that store `value`."""
        raise NotImplementedError

    def from_rows(self, question, answers: list, choices_by_id: dict) -> Any:
        """Return the canonical value stored in `answers` (this question's rows)."""
        raise NotImplementedError

    # Logic ----------------------------------------------------------------------------------
    def comparable(self, value: Any) -> Any:
        """Return what display-logic conditions compare: a number, a key or a set of keys."""
        return value

    # Export ---------------------------------------------------------------------------------
    def columns(self, lq: LocalQuestion) -> list[str]:
        return [lq.key]

    def cells(self, lq: LocalQuestion, value: Any) -> list:
        return ["" if value is None else value]


def scale_range(qdef_or_settings: dict, default: tuple[int, int]) -> tuple[int, int]:
    return (
        int(qdef_or_settings.get("min", default[0])),
        int(qdef_or_settings.get("max", default[1])),
    )


def parse_int(raw: Any, low: int, high: int) -> int:
    """Return `raw` as an integer within [low, high], else raise AnswerError."""
    if isinstance(raw, bool):
        raise AnswerError(
            _("Choose a number from %(low)s to %(high)s.") % {"low": low, "high": high}
        )
    try:
        number = int(raw) if not isinstance(raw, float) or raw.is_integer() else None
    except (TypeError, ValueError):
        number = None
    if number is None or not low <= number <= high:
        raise AnswerError(
            _("Choose a number from %(low)s to %(high)s.") % {"low": low, "high": high}
        )
    return number


class ScaledType(QuestionType):
    """A question answered on a numeric scale, fixed by its type or chosen by the author."""

    has_scale = True
    default_range = (1, 5)

    def range(self, question) -> tuple[int, int]:
        if self.fixed_range:
            return self.default_range
        return scale_range(question.settings or {}, self.default_range)

    def points(self, question) -> list[int]:
        low, high = self.range(question)
        return list(range(low, high + 1))

    def definition_errors(self, qdef):
        if self.fixed_range:
            if "min" in qdef or "max" in qdef:
                low, high = self.default_range
                return [("min", f"a {self.kind} question always runs from {low} to {high}")]
            return []
        return check_range(qdef, self.default_range)

    def settings_from_definition(self, qdef):
        if self.fixed_range:
            return {}
        low, high = scale_range(qdef, self.default_range)
        return {"min": low, "max": high}


class ScaleType(ScaledType):
    """A question answered with one number on a scale (NPS, CSAT, CES, rating)."""

    def parse_json(self, lq, raw):
        if raw is None or raw == "":
            return None
        return parse_int(raw, *self.range(lq.question))

    def rows(self, question, value, choices):
        return [{"value": value}]

    def from_rows(self, question, answers, choices_by_id):
        return answers[0].value if answers else None


SCALE_LIMIT = 1000  # a scale's ends lie within ±SCALE_LIMIT


def whole_number(value: Any) -> int | None:
    """Return `value` as an int if it is a whole number (5 or 5.0; not True, "5" or 5.5)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return None


def check_range(qdef: dict, default: tuple[int, int]) -> list[tuple[str, str]]:
    ends = [
        whole_number(qdef.get(name, fallback))
        for name, fallback in zip(("min", "max"), default, strict=True)
    ]
    if None in ends or any(abs(end) > SCALE_LIMIT for end in ends):
        return [("min", f"min and max must be whole numbers from -{SCALE_LIMIT} to {SCALE_LIMIT}")]
    low, high = ends
    if high <= low:
        return [("max", f"max ({high}) must be greater than min ({low})")]
    if high - low > 10:
        return [("max", "a scale has at most 11 points")]
    return []


class PairedType(ScaledType):
    """A question answered twice on one scale, once per part (expected/perceived, ...)."""

    parts: tuple[str, str] = ("", "")

    def missing_message(self) -> str:
        raise NotImplementedError

    def parse_form(self, lq, data):
        raw = {part: data.get(f"{lq.field_name}-{part}", "") for part in self.parts}
        return self.parse_json(lq, {k: v for k, v in raw.items() if v != ""})

    def parse_json(self, lq, raw):
        if raw is None or raw == {}:
            return None
        if not isinstance(raw, dict) or set(raw) != set(self.parts):
            raise AnswerError(self.missing_message())
        low, high = self.range(lq.question)
        return {part: parse_int(raw[part], low, high) for part in self.parts}

    def rows(self, question, value, choices):
        return [{"part": part, "value": value[part]} for part in self.parts]

    def from_rows(self, question, answers, choices_by_id):
        value = {a.part: a.value for a in answers if a.part in self.parts}
        return value if len(value) == 2 else None

    def columns(self, lq):
        return [f"{lq.key}[{part}]" for part in self.parts]

    def cells(self, lq, value):
        value = value or {}
        return [value.get(part, "") for part in self.parts]
