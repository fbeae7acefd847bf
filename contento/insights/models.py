from django.db import models

from contento.surveys.models import Survey


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
