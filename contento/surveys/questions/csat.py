from contento.surveys.questions.base import ScaleType


class CsatType(ScaleType):
    """Customer satisfaction from 1 (very unsatisfied) to 5 (very satisfied)."""

    kind = "csat"
    metric = "csat"
    default_range = (1, 5)
