from contento.surveys.questions.base import ScaleType


class CesType(ScaleType):
    """Customer effort from 1 (very difficult) to 7 (very easy), as in CES 2.0."""

    kind = "ces"
    metric = "ces"
    default_range = (1, 7)
