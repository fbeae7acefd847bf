from django.utils.translation import gettext as _

from contento.surveys.questions.base import (
    AnswerError,
    ScaledType,
    parse_int,
)

PARTS = ("expected", "perceived")


class ExpectationType(ScaledType):
    """What the customer expected and what they got, on the same scale (SERVQUAL's two parts).

    The gap, perception minus expectation, is what the gap analysis reads.
    """

    kind = "expectation"
    fixed_range = False
    default_range = (1, 7)

    def parse_form(self, lq, data):
        raw = {part: data.get(f"{lq.field_name}-{part}", "") for part in PARTS}
        return self.parse_json(lq, {k: v for k, v in raw.items() if v != ""})

    def parse_json(self, lq, raw):
        if raw is None or raw == {}:
            return None
        if not isinstance(raw, dict) or set(raw) - set(PARTS):
            raise AnswerError(_("Give what you expected and what you got."))
        if set(raw) != set(PARTS):
            raise AnswerError(_("Give both what you expected and what you got."))
        low, high = self.range(lq.question)
        return {part: parse_int(raw[part], low, high) for part in PARTS}

    def rows(self, question, value, choices):
        return [{"part": part, "value": value[part]} for part in PARTS]

    def from_rows(self, question, answers, choices_by_id):
        value = {a.part: a.value for a in answers if a.part in PARTS}
        return value if len(value) == 2 else None

    def comparable(self, value):
        # Conditions on an expectation item compare the gap (perceived - expected).
        return None if not value else value["perceived"] - value["expected"]

    def columns(self, lq):
        return [f"{lq.key}[expected]", f"{lq.key}[perceived]"]

    def cells(self, lq, value):
        value = value or {}
        return [value.get("expected", ""), value.get("perceived", "")]
