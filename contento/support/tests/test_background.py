"""The desk's background work: an acknowledgement goes once, and lost queueing is swept up."""

import datetime as dt

import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from contento.support import tasks
from contento.support.actions.messages import do_reply_to_ticket
from contento.support.actions.tickets import do_create_ticket
from contento.support.channels.email import outbound
from contento.support.models import Ticket, TicketMessage


def _ticket(desk, channel="web"):
    return do_create_ticket(
        desk.org, customer=desk.customer, subject="Router", body="No funciona", channel=channel
    )


def test_an_acknowledgement_is_sent_once_however_often_it_is_asked(desk):
    ticket = _ticket(desk)
    outbound.queue_acknowledgement(ticket)
    outbound.queue_acknowledgement(ticket)  # a retried form, a replayed request
    assert tasks.send_acknowledgement.call(str(ticket.code)) == "sent"
    assert tasks.send_acknowledgement.call(str(ticket.code)) == "skipped"  # a retried task
    outbound.queue_acknowledgement(ticket)
    assert tasks.send_acknowledgement.call(str(ticket.code)) == "skipped"
    assert len(mail.outbox) == 1
    ticket.refresh_from_db()
    assert ticket.acknowledgement == "sent"


def test_the_sweep_queues_what_a_lost_enqueue_left_behind(desk, settings):
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks_db.DatabaseBackend",
            "QUEUES": ["mail", "default", "analysis"],
        }
    }
    long_ago = timezone.now() - dt.timedelta(minutes=10)
    with time_machine.travel(long_ago, tick=False):
        ticket = _ticket(desk)
        # The process died after the commit and before the enqueue: the rows say what waits.
        Ticket.objects.filter(pk=ticket.pk).update(acknowledgement="pending")
        reply = do_reply_to_ticket(ticket, desk.alice, body="Mañana va un técnico.")
    DBTaskResult.objects.all().delete()  # nothing of it reached the queue
    assert TicketMessage.objects.get(pk=reply.pk).delivery == TicketMessage.Delivery.QUEUED
    swept = tasks.sweep.call()
    assert swept == {"analysis": 1, "replies": 1, "acknowledgements": 1}
    queued = sorted(DBTaskResult.objects.values_list("task_path", flat=True))
    assert queued == [
        "contento.support.tasks.analyze_unread",
        "contento.support.tasks.send_acknowledgements",
        "contento.support.tasks.send_ticket_message",
    ]
    call_command("worker", burst=True)
    ticket.refresh_from_db()
    assert ticket.acknowledgement == "sent"
    assert len(mail.outbox) == 2
    assert TicketMessage.objects.get(pk=reply.pk).delivery == TicketMessage.Delivery.SENT
    assert tasks.sweep.call() == {"analysis": 0, "replies": 0, "acknowledgements": 0}


def test_the_sweep_leaves_work_that_is_probably_still_queued(desk):
    ticket = _ticket(desk)
    outbound.queue_acknowledgement(ticket)
    assert tasks.sweep.call()["acknowledgements"] == 0  # two minutes have not passed
