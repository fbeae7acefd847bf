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
    part = models.CharField(max_length=16, blank=True, default="")
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


class MonthlyScoreCount(models.Model):
    """The same counts as `ScoreCount`, summed per calendar month.

    Views over whole months (the overview's trends, slices over all time) read these: a
    slice over two years is 24 rows per score instead of some 730, which keeps the overview
    fast at tens of millions of answers. Kept in the same statement as the daily counts.
    """

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    item_key = models.CharField(max_length=50, blank=True, default="")
    part = models.CharField(max_length=16, blank=True, default="")
    month = models.DateField()
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
                    "month",
                    "dimension",
                    "dimension_value",
                    "value",
                ],
                name="monthlyscorecount_unique",
            )
        ]
        indexes = [models.Index(fields=["question", "dimension", "month"])]

    def __str__(self):
        return f"{self.question_id}={self.value} in {self.month:%Y-%m} [{self.dimension}]: {self.n}"


class PairMoment(models.Model):
    """Sums over the respondents who answered both of two scored variables in one month.

    With `n`, the sums and the sums of squares and products of every pair of variables (a
    question's score, a matrix item, an expectation part), the correlation matrix of all the
    survey's items is known with pairwise deletion, which is all that key-driver analysis
    needs: drivers over a million responses read a few thousand rows. The diagonal pairs
    (`var_a == var_b`) hold each variable's own count, sum and sum of squares.
    """

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    dimension = models.CharField(max_length=20)
    dimension_value = models.CharField(max_length=50, blank=True, default="")
    var_a = models.CharField(max_length=80)
    var_b = models.CharField(max_length=80)
    n = models.BigIntegerField(default=0)
    sum_a = models.BigIntegerField(default=0)
    sum_b = models.BigIntegerField(default=0)
    sum_aa = models.BigIntegerField(default=0)
    sum_bb = models.BigIntegerField(default=0)
    sum_ab = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "month", "dimension", "dimension_value", "var_a", "var_b"],
                name="pairmoment_unique",
            )
        ]

    def __str__(self):
        return f"{self.var_a}×{self.var_b} {self.month} [{self.dimension}]: n={self.n}"


class Alert(models.Model):
    """A significant drop of a survey's satisfaction in one month, raised once and emailed.

    Raised when the month's figure falls below the control chart's lower limit; unique per
    survey, metric and month, so checking again never notifies twice.
    """

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="alerts")
    metric = models.CharField(max_length=10)
    month = models.DateField()
    value = models.FloatField()
    lower_limit = models.FloatField()
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "metric", "month"], name="alert_unique")
        ]

    def __str__(self):
        return f"{self.metric} drop in {self.survey} ({self.month:%Y-%m})"


class ReportSubscription(models.Model):
    """A member's wish to receive the workspace overview by email every week."""

    membership = models.OneToOneField(
        "accounts.Membership", on_delete=models.CASCADE, related_name="report_subscription"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # The ISO week ("2026-W48") last sent, so a rerun in the same week sends nothing.
    last_sent_week = models.CharField(max_length=10, blank=True)

    def __str__(self):
        return f"weekly report for {self.membership}"
