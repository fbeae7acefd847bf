from contento.surveys.questions.base import ScaleType


class RatingType(ScaleType):
    """A rating on a scale whose range and end labels the survey author chooses."""

    kind = "rating"
    default_range = (1, 5)
    fixed_range = False
