"""Background work of the insights app."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks import task

from contento.accounts.models import Membership
from contento.accounts.roles import Role
from contento.core import queues
from contento.insights import overview
from contento.insights.actions import do_check_survey_drops
from contento.insights.models import Alert, ReportSubscription
from contento.surveys.models import Survey

log = logging.getLogger(__name__)


# Surveys that received a response this recently are checked again (the period of the job,
# with room for a late run).
RECENT = timedelta(minutes=30)


@task()
def check_recent_drops() -> int:
    """Check every survey that got responses lately for a significant drop (periodic).

    The insights app's own job, every 15 minutes: the surveys app knows nothing of alerts.
    Alerts are unique per survey, metric and month, so checking again raises nothing twice.
    """
    since = timezone.now() - RECENT
    recent = Survey.objects.filter(
        status=Survey.Status.LIVE, responses__completed_at__gte=since
    ).distinct()
    return sum(check_drops.call(str(code)) for code in recent.values_list("code", flat=True))


@task()
def check_drops(survey_code: str) -> int:
    """Check one survey for a significant drop; return how many alerts were raised."""
    survey = Survey.objects.select_related("organization").filter(code=survey_code).first()
    if survey is None:
        return 0
    return len(do_check_survey_drops(survey))


def _recipients(survey):
    if survey.created_by and survey.created_by.is_active:
        return [survey.created_by]
    owners = Membership.objects.filter(organization=survey.organization, role=Role.OWNER)
    return [m.user for m in owners.select_related("user") if m.user.is_active]


@task(queue_name=queues.MAIL)
def send_alert(alert_id: int) -> str:
    """Email an alert to the survey's owner, once (safe to retry)."""
    with transaction.atomic():
        alert = (
            Alert.objects.select_for_update()
            .select_related("survey__organization")
            .filter(pk=alert_id)
            .first()
        )
        if alert is None or alert.sent_at is not None:
            return "skipped"
        survey = alert.survey
        url = settings.SITE_URL + reverse("insights:survey_trend", args=[survey.code, alert.metric])
        for user in _recipients(survey):
            with translation.override(user.language):
                context = {"alert": alert, "survey": survey, "url": url, "user": user}
                subject = render_to_string("insights/email/alert_subject.txt", context).strip()
                body = render_to_string("insights/email/alert.txt", context)
            send_mail(subject, body, None, [user.email])
        alert.sent_at = timezone.now()
        alert.save(update_fields=["sent_at"])
    log.info("alert sent", extra={"alert": alert_id, "survey": str(survey.code)})
    return "sent"


def iso_week(day) -> str:
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


@task(queue_name=queues.MAIL)
def send_weekly_report(subscription_id: int) -> str:
    """Email one member this week's overview (NPS, CSAT, CES by month), once a week."""
    week = iso_week(timezone.localdate())
    with transaction.atomic():
        subscription = (
            ReportSubscription.objects.select_for_update()
            .select_related("membership__user", "membership__organization")
            .filter(pk=subscription_id)
            .first()
        )
        if subscription is None or subscription.last_sent_week == week:
            return "skipped"
        membership = subscription.membership
        if not membership.can("survey.view") or not membership.user.is_active:
            return "skipped"
        org = membership.organization
        metrics = []
        for kind in overview.METRICS:
            trend = overview.trend(org, kind, months=3)
            if any(m.n for m in trend.months):
                metrics.append({"kind": kind, "months": trend.months})
        context = {
            "user": membership.user,
            "organization": org,
            "metrics": metrics,
            "week": week,
            "url": settings.SITE_URL + reverse("insights:overview"),
        }
        with translation.override(membership.user.language):
            subject = render_to_string("insights/email/weekly_subject.txt", context).strip()
            body = render_to_string("insights/email/weekly.txt", context)
        send_mail(subject, body, None, [membership.user.email])
        subscription.last_sent_week = week
        subscription.save(update_fields=["last_sent_week"])
    return "sent"
