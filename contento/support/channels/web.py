"""The web form and the chat: customers write on the desk's public pages.

Both open a ticket from a form that names the customer by address (`receive`), and the
customer goes on in the conversation on their ticket's page (`add_reply`). Answers to the web
form go by mail to the address given; chat answers are read on the chat page, which polls.
"""

from django.db import transaction

from contento.core.idempotency import IdempotencyKey
from contento.customers.actions import do_find_or_create_customer
from contento.support.actions.messages import do_add_customer_message
from contento.support.actions.tickets import do_create_ticket
from contento.support.channels.base import Channel
from contento.support.channels.email import outbound
from contento.support.models import Ticket, TicketMessage


class WebChannel(Channel):
    name = Ticket.Channel.WEB

    @transaction.atomic  # a refused ticket leaves no customer behind
    def receive(
        self,
        organization,
        *,
        email: str,
        name: str,
        language: str,
        subject: str,
        body: str,
        team=None,
        idempotency_key: IdempotencyKey | None = None,
        customer=None,
    ) -> Ticket:
        """Open a ticket for the customer with this address (made on first contact), or for
        `customer` when the business's site has said who is writing."""
        if customer is None:
            customer = do_find_or_create_customer(
                organization, email=email, name=name, language=language
            )
        return do_create_ticket(
            organization,
            customer=customer,
            subject=subject,
            body=body,
            channel=self.name,
            team=team,
            language=language,
            idempotency_key=idempotency_key,
        )

    def send(self, message: TicketMessage) -> None:
        outbound.send(message)


class ChatChannel(WebChannel):
    name = Ticket.Channel.CHAT

    def send(self, message: TicketMessage) -> None:
        raise NotImplementedError("Chat answers are read on the chat page, not sent.")


def add_reply(ticket: Ticket, body: str, idempotency_key: IdempotencyKey | None = None):
    """Add what the customer wrote on their ticket's page (a chat goes on as a chat)."""
    channel = Ticket.Channel.CHAT if ticket.channel == Ticket.Channel.CHAT else Ticket.Channel.WEB
    return do_add_customer_message(
        ticket, body=body, channel=channel, idempotency_key=idempotency_key
    )
