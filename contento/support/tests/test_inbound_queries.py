"""The number of queries that receiving one mail costs, pinned so that it cannot creep back.

Every message of a busy desk pays these (the listener's share of issue 16's CPU); a change
that adds one should say why here.
"""

from email.message import EmailMessage

import pytest

from contento.support.channels.email import inbound
from contento.support.models import InboundEmail

pytestmark = pytest.mark.django_db

# A new ticket (20): the route (the team and its workspace's other teams), the redelivery
# check, the transaction, the loop check (recent mail of the sender), the customer; the
# ticket's savepoint, the team's members, the team locked (round-robin), the SLA policy, the
# ticket (assignee, due times, acknowledgement pending, all in its one insert), the message,
# the attachment's file and row, the assignment event, the team's round-robin pointer, the
# release; the raw file and the record, the commit; after it, whether the batch tasks it
# queued (acknowledgement, analysis) still wait, in one query.
# A reply (18): route, redelivery check, transaction, loop check; the message it answers, the
# customer's other addresses (may they join?); the savepoint, the ticket locked, the message,
# the attachment's file and row, the ticket (last message, due times: one update), the SLA
# policy, the release; the raw file, the record, the commit; the batch check.
# Before issue 16: 32 and 27, and two task rows per message; after its first round 29 and 24.
NEW_TICKET_QUERIES = 20
REPLY_QUERIES = 18


def _mail(message_id: str, reply_to: str = "") -> bytes:
    message = EmailMessage()
    message["From"] = "Lucía Pérez <lucia@example.net>"
    message["To"] = "help@acme.test"
    message["Message-ID"] = message_id
    message["Subject"] = "Re: El router" if reply_to else "El router"
    if reply_to:
        message["In-Reply-To"] = reply_to
    message.set_content("Hola, el router se desconecta cada hora.")
    message.add_attachment(b"x" * 200, maintype="text", subtype="plain", filename="log.txt")
    return bytes(message)


def test_receiving_a_new_message_and_a_reply_costs_a_fixed_number_of_queries(
    desk, django_assert_num_queries, django_capture_on_commit_callbacks
):
    # A first mail outside the count: the batch tasks are queued once.
    with django_capture_on_commit_callbacks(execute=True):
        inbound.receive(_mail("<warm@example.net>"), ["help@acme.test"])
    with (
        django_assert_num_queries(NEW_TICKET_QUERIES),
        django_capture_on_commit_callbacks(execute=True),
    ):
        created = inbound.receive(_mail("<q1@example.net>"), ["help@acme.test"])
    with (
        django_assert_num_queries(REPLY_QUERIES),
        django_capture_on_commit_callbacks(execute=True),
    ):
        appended = inbound.receive(
            _mail("<q2@example.net>", reply_to="<q1@example.net>"), ["help@acme.test"]
        )
    assert (created.outcome, appended.outcome) == (
        InboundEmail.Outcome.CREATED,
        InboundEmail.Outcome.APPENDED,
    )
    assert appended.ticket_id == created.ticket_id
