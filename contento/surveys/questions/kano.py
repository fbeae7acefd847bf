from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contento.surveys.questions.base import PairedType

# The five answers of the Kano questionnaire, in the order of Berger et al. (1993).
OPTIONS = [
    (1, gettext_lazy("I like it that way")),
    (2, gettext_lazy("It must be that way")),
    (3, gettext_lazy("I am neutral")),
    (4, gettext_lazy("I can live with it that way")),
    (5, gettext_lazy("I dislike it that way")),
]


class KanoType(PairedType):
    """A Kano pair: how the customer feels if a feature is there, and if it is not.

    The question's text names the feature; the two stems and the five answers are the
    standard ones (Kano et al. 1984; Berger et al. 1993), so every survey asks them alike.
    """

    kind = "kano"
    parts = ("functional", "dysfunctional")
    default_range = (1, 5)

    def missing_message(self):
        return _("Answer both: with the feature, and without it.")

    def comparable(self, value):
        return None

    def options(self):
        return OPTIONS
