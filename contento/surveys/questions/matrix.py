from django.utils.translation import gettext as _

from contento.surveys.questions.base import (
    AnswerError,
    ScaledType,
    parse_int,
)


class MatrixType(ScaledType):
    """Several items rated on one shared Likert scale (one row per item)."""

    kind = "matrix"
    uses_items = True
    fixed_range = False
    default_range = (1, 5)

    def definition_errors(self, qdef):
        errors = super().definition_errors(qdef)
        if len(qdef.get("items") or []) < 1:
            errors.append(("items", "a matrix needs at least one item"))
        return errors

    def parse_form(self, lq, data):
        raw = {key: data.get(f"{lq.field_name}-{key}", "") for key, _label in lq.choices}
        return self.parse_json(lq, {k: v for k, v in raw.items() if v != ""})

    def parse_json(self, lq, raw):
        if raw is None or raw == {}:
            return None
        if not isinstance(raw, dict):
            raise AnswerError(_("Rate each item on the scale."))
        keys = [key for key, _label in lq.choices]
        unknown = [k for k in raw if k not in keys]
        if unknown:
            raise AnswerError(_("Unknown item: %(item)s.") % {"item": unknown[0]})
        low, high = self.range(lq.question)
        value = {k: parse_int(raw[k], low, high) for k in keys if raw.get(k) not in (None, "")}
        if lq.question.required and len(value) < len(keys):
            raise AnswerError(_("Rate every item."))
        return value or None

    def rows(self, question, value, choices):
        return [{"item": choices[key], "value": number} for key, number in value.items()]

    def from_rows(self, question, answers, choices_by_id):
        if not answers:
            return None
        return {choices_by_id[a.item_id].key: a.value for a in answers}

    def comparable(self, value):
        # Conditions on a matrix compare the mean of its items.
        if not value:
            return None
        return sum(value.values()) / len(value)

    def columns(self, lq):
        return [f"{lq.key}[{key}]" for key, _label in lq.choices]

    def cells(self, lq, value):
        value = value or {}
        return [value.get(key, "") for key, _label in lq.choices]
