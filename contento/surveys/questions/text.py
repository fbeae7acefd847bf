from django.utils.translation import gettext as _

from contento.surveys.questions.base import AnswerError, QuestionType

MAX_LENGTH = 10_000


class TextType(QuestionType):
    """An open answer in the respondent's own words."""

    kind = "text"

    def parse_json(self, lq, raw):
        if raw is None:
            return None
        if not isinstance(raw, str):
            raise AnswerError(_("Write your answer as text."))
        text = raw.replace("\x00", "").strip()
        if len(text) > MAX_LENGTH:
            raise AnswerError(_("Keep your answer under %(max)s characters.") % {"max": MAX_LENGTH})
        return text or None

    def rows(self, question, value, choices):
        return [{"text": value}]

    def from_rows(self, question, answers, choices_by_id):
        return answers[0].text if answers else None
