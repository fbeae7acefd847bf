"""State changes of the insights app: raising alerts on significant drops."""

import datetime as dt

from django.db import IntegrityError, transaction

from contento.insights import overview
from contento.insights.models import Alert, ReportSubscription
from contento.surveys.models import Survey

METRICS = ("nps", "csat", "ces")


def do_check_survey_drops(survey: Survey) -> list[Alert]:
    """Raise an alert for each metric whose latest month dropped below its control limit.

    Return the alerts raised now; a drop already alerted is not raised again. The emails go
    out from the worker once the alerts are committed.
    """
    from contento.insights.tasks import send_alert

    kinds = set(survey.questions.filter(kind__in=METRICS).values_list("kind", flat=True))
    raised = []
    for kind in sorted(kinds):
        months = overview.by_month(survey.organization, kind, survey=survey)
        if overview.control_limits(kind, months) is None:
            continue
        latest = next((m for m in reversed(months) if m.n), None)
        if latest is None or not latest.extra.get("drop"):
            continue
        month = dt.date.fromisoformat(latest.label + "-01")
        try:
            with transaction.atomic():
                alert = Alert.objects.create(
                    survey=survey,
                    metric=kind,
                    month=month,
                    value=latest.figure.value,
                    lower_limit=latest.extra["lower_limit"],
                )
        except IntegrityError:
            continue  # already raised for this month
        alert_id = alert.pk
        transaction.on_commit(lambda alert_id=alert_id: send_alert.enqueue(alert_id), robust=True)
        raised.append(alert)
    return raised


def do_set_weekly_report(membership, wanted: bool) -> None:
    """Subscribe a member to the weekly overview email, or unsubscribe them."""
    if wanted:
        ReportSubscription.objects.get_or_create(membership=membership)
    else:
        ReportSubscription.objects.filter(membership=membership).delete()
