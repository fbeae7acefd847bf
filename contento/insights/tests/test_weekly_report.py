"""Members can have the overview emailed every week, once a week."""

from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from contento.accounts.models import Membership
from contento.accounts.roles import Role
from contento.insights.models import ReportSubscription
from contento.insights.tasks import send_weekly_report
from contento.surveys.actions import do_submit_response


def test_subscribe_receive_once_and_unsubscribe(personas, live_survey):
    do_submit_response(live_survey, answers={"nps": 10, "csat": 5})
    client = personas.client(Role.ANALYST)
    client.post(reverse("insights:weekly_report"), {"subscribe": "1"})
    subscription = ReportSubscription.objects.get()
    assert subscription.membership.role == Role.ANALYST
    assert "Stop the weekly email" in client.get(reverse("insights:overview")).content.decode()
    assert send_weekly_report.call(subscription.pk) == "sent"
    assert send_weekly_report.call(subscription.pk) == "skipped"  # once a week
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "NPS" in body
    assert "100.0" in body
    assert "/insights/" in body
    client.post(reverse("insights:weekly_report"), {"subscribe": "0"})
    assert not ReportSubscription.objects.exists()


def test_report_follows_the_members_language(personas, live_survey):
    analyst = personas.members[Role.ANALYST]
    analyst.language = "es"
    analyst.save()
    subscription = ReportSubscription.objects.create(
        membership=Membership.objects.get(user=analyst)
    )
    send_weekly_report.call(subscription.pk)
    assert "Hola" in mail.outbox[0].body or "satisfacción" in mail.outbox[0].subject


def test_agents_cannot_subscribe_and_the_command_queues_everyone(personas, capsys):
    assert (
        personas.client(Role.AGENT)
        .post(reverse("insights:weekly_report"), {"subscribe": "1"})
        .status_code
        == 403
    )
    assert (
        personas.client().post(reverse("insights:weekly_report"), {"subscribe": "1"}).status_code
        == 302
    )
    assert not ReportSubscription.objects.exists()
    ReportSubscription.objects.create(membership=Membership.objects.get(user=personas.owner))
    call_command("sendreports")
    assert "1 report(s) queued." in capsys.readouterr().out
