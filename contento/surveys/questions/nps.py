from contento.surveys.questions.base import ScaleType


class NpsType(ScaleType):
    """Net Promoter Score: "How likely are you to recommend us?" from 0 to 10."""

    kind = "nps"
    metric = "nps"
    default_range = (0, 10)
