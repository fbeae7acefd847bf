from django.db import models

from contento.surveys.models import Question, Survey


class ScoreCount(models.Model):
    """How many answers gave one score to one question on one day, in one slice of the data.

    Scores are discrete, so these counts are sufficient statistics for NPS, CSAT, CES, means
    and their intervals: dashboards sum a few hundred of these rows instead of scanning
    millions of answers. Each answer is counted once in the `all` slice and once per other
    dimension (its language, ...), so a filter on one dimension reads only that dimension's
    rows. The counts are kept in step with the answers by `contento.insights.rollups`, in
    the same transaction as the answers themselves.
    """

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    # The matrix item ("" for questions without items) and the part of an expectation item.
    item_key = models.CharField(max_length=50, blank=True, default="")
    part = models.CharField(max_length=10, blank=True, default="")
    day = models.DateField()
    dimension = models.CharField(max_length=20)
    dimension_value = models.CharField(max_length=50, blank=True, default="")
    value = models.IntegerField()
    n = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "survey",
                    "question",
                    "item_key",
                    "part",
                    "day",
                    "dimension",
                    "dimension_value",
                    "value",
                ],
                name="scorecount_unique",
            )
        ]
        indexes = [models.Index(fields=["survey", "dimension", "dimension_value", "day"])]

    def __str__(self):
        return f"{self.question_id}={self.value} on {self.day} [{self.dimension}]: {self.n}"
