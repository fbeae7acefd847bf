from django.utils.translation import gettext as _

from contento.surveys.questions.base import AnswerError, QuestionType


class SingleType(QuestionType):
    """Pick exactly one of a list of options."""

    kind = "single"
    uses_choices = True

    def definition_errors(self, qdef):
        if len(qdef.get("choices") or []) < 2:
            return [("choices", "a choice question needs at least two choices")]
        return []

    def parse_json(self, lq, raw):
        if raw is None or raw == "":
            return None
        keys = [key for key, _label in lq.choices]
        if not isinstance(raw, str) or raw not in keys:
            raise AnswerError(_("Choose one of the options."))
        return raw

    def rows(self, question, value, choices):
        return [{"choice": choices[value]}]

    def from_rows(self, question, answers, choices_by_id):
        return choices_by_id[answers[0].choice_id].key if answers else None

    def cells(self, lq, value):
        return ["" if value is None else lq.choice_label(value)]
