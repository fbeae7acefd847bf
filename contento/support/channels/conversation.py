"""Phone calls and visits: a member records the conversation and what came of it.

`receive` opens a ticket with what the customer said, logs the outcome (a "resolved" outcome
solves it) and the satisfaction the customer told, credited to that member. Nothing is ever
sent: the customer heard the answer.
"""

from django.db import transaction

from contento.core.idempotency import IdempotencyKey
from contento.support.actions.messages import do_log_conversation
from contento.support.actions.ratings import do_record_conversation_rating
from contento.support.actions.tickets import do_create_ticket
from contento.support.channels.base import Channel
from contento.support.models import Ticket


class PhoneChannel(Channel):
    name = Ticket.Channel.PHONE

    @transaction.atomic
    def receive(
        self,
        membership,
        customer,
        *,
        subject: str,
        body: str,
        outcome: str = "",
        rating: int | None = None,
        idempotency_key: IdempotencyKey | None = None,
    ) -> Ticket:
        """Open a ticket for a conversation a member had, with its outcome and rating."""
        ticket = do_create_ticket(
            membership.organization,
            customer=customer,
            subject=subject,
            body=body,
            channel=self.name,
            author=membership,
            idempotency_key=idempotency_key,
        )
        if outcome:
            do_log_conversation(ticket, membership, body=body, outcome=outcome, channel=self.name)
        if rating:
            do_record_conversation_rating(ticket, membership, rating)
        ticket.refresh_from_db()
        return ticket


class InPersonChannel(PhoneChannel):
    name = Ticket.Channel.IN_PERSON
