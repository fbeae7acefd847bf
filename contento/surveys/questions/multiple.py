from django.utils.translation import gettext as _

from contento.surveys.questions.base import AnswerError, QuestionType


class MultipleType(QuestionType):
    """Pick any number of options from a list."""

    kind = "multiple"
    uses_choices = True

    def definition_errors(self, qdef):
        if len(qdef.get("choices") or []) < 2:
            return [("choices", "a choice question needs at least two choices")]
        return []

    def parse_form(self, lq, data):
        return self.parse_json(lq, data.getlist(lq.field_name))

    def parse_json(self, lq, raw):
        if raw is None or raw == []:
            return None
        if isinstance(raw, str):
            raw = [raw]
        keys = [key for key, _label in lq.choices]
        if not isinstance(raw, list) or any(k not in keys for k in raw):
            raise AnswerError(_("Choose among the options shown."))
        # Keep the options' order and drop repeats.
        return [key for key in keys if key in raw]

    def rows(self, question, value, choices):
        return [{"choice": choices[key]} for key in value]

    def from_rows(self, question, answers, choices_by_id):
        if not answers:
            return None
        chosen = {choices_by_id[a.choice_id] for a in answers}
        return [c.key for c in sorted(chosen, key=lambda c: (c.position, c.pk))]

    def comparable(self, value):
        return set(value or [])

    def cells(self, lq, value):
        return ["" if not value else "; ".join(lq.choice_label(k) for k in value)]
