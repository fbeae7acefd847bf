"""Inbound messages are read by contento.text in the background; anger flags the ticket."""

import pytest
from django.core.management import call_command

from contento.support.actions.tickets import do_create_ticket
from contento.support.models import Ticket, TicketMessage

pytestmark = pytest.mark.django_db(transaction=True)

ANGRY = (
    "This is the THIRD time I write and nobody answers!!! Absolutely unacceptable, "
    "I am furious and I want my money back NOW."
)


def test_the_worker_reads_messages_and_flags_an_angry_customer(desk):
    calm = do_create_ticket(
        desk.org,
        customer=desk.customer,
        subject="Question",
        channel="web",
        body="Hello, could you tell me how to change my plan? Thank you.",
    )
    angry = do_create_ticket(
        desk.org, customer=desk.customer, subject="Refund", channel="web", body=ANGRY
    )
    call_command("worker", burst=True)  # the analysis was queued when each message committed
    message = TicketMessage.objects.get(ticket=angry)
    assert message.analysis["language"] == "en"
    assert message.angry
    assert message.analysis["model_version"]
    angry.refresh_from_db()
    calm.refresh_from_db()
    assert angry.angry
    assert angry.priority == Ticket.Priority.HIGH
    assert not calm.angry
    assert calm.priority == Ticket.Priority.NORMAL
    assert TicketMessage.objects.get(ticket=calm).analysis["sentiment"] != "negative"
