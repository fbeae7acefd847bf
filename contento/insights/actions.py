"""State changes of the insights app: raising alerts on significant drops."""

import datetime as dt

from django.db import IntegrityError, transaction

from contento.core import queues
from contento.insights import overview
from contento.insights.models import Alert, ReportSubscription
from contento.surveys.models import Survey

METRICS = ("nps", "csat", "ces")


def do_check_survey_drops(survey: Survey) -> list[Alert]:
    """Raise an alert for each metric whose latest month dropped below its control limit.

    Return the alerts raised now; a drop already alerted is not raised again. The emails go
    out from the worker once the alerts are committed.
    """
    kinds = set(survey.questions.filter(kind__in=METRICS).values_list("kind", flat=True))
    raised = []
    for kind in sorted(kinds):
        latest = overview.trend(survey.organization, kind, survey=survey).latest
        if latest is None or latest.limits is None or not latest.limits.drop:
            continue
        month = dt.date.fromisoformat(latest.label + "-01")
        try:
            with transaction.atomic():
                alert = Alert.objects.create(
                    survey=survey,
                    metric=kind,
                    month=month,
                    value=latest.figure.value,
                    lower_limit=latest.limits.lower,
                )
        except IntegrityError:
            continue  # already raised for this month
        queues.enqueue_on_commit("contento.insights.tasks.send_alert", alert.pk)
        raised.append(alert)
    return raised


def do_set_weekly_report(membership, wanted: bool) -> None:
    """Subscribe a member to the weekly overview email, or unsubscribe them."""
    if wanted:
        ReportSubscription.objects.get_or_create(membership=membership)
    else:
        ReportSubscription.objects.filter(membership=membership).delete()
