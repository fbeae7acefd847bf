from django.utils.translation import gettext as _

from contento.surveys.questions.base import PairedType


class ExpectationType(PairedType):
    """What the customer expected and what they got, on the same scale (SERVQUAL's two parts).

    The gap, perception minus expectation, is what the gap analysis reads.
    """

    kind = "expectation"
    parts = ("expected", "perceived")
    fixed_range = False
    default_range = (1, 7)

    def missing_message(self):
        return _("Give both what you expected and what you got.")

    def comparable(self, value):
        # Conditions on an expectation item compare the gap (perceived - expected).
        return None if not value else value["perceived"] - value["expected"]
