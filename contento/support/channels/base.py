"""The contract of a desk channel: how a conversation arrives, how answers leave, and what a
message carries.

A channel is one way customers reach the desk (`Ticket.Channel`): email, the web form, the
chat, a phone call, a visit, the API, a follow-up the desk opens itself. Each is one subclass
of `Channel`, registered in `contento.support.channels`, with the same three parts:

- **receive**: turn what arrived into a ticket or a message of one. It takes what its
  transport gives (a raw mail and its recipients, a filled form, a member's record of a call)
  and calls the actions only: `actions.tickets.do_create_ticket` to open a ticket,
  `actions.messages.do_add_customer_message` to continue one, with an idempotency key so a
  redelivery or a retried form adds nothing.
- **what a message carries**: the text and files every channel has (`body`,
  `NewAttachment`), plus what the channel adds (email: `MailDetails`, its headers and HTML).
- **send**: deliver an agent's answer. Answers are queued by `actions.messages` when the
  ticket's channel answers by email (`Ticket.ANSWERED_BY_EMAIL`); the worker then calls
  `send` with the message locked, once. Where the customer reads answers in place (the chat
  page) or heard them (a call), nothing is sent.

A new channel copies the closest one (`web` for a form, `email` for a transport with its own
threading), adds its value to `Ticket.Channel`, and registers here.
"""

from typing import ClassVar

from contento.support.actions.steps import MailDetails, NewAttachment
from contento.support.models import Ticket, TicketMessage

__all__ = ["Channel", "MailDetails", "NewAttachment"]


class Channel:
    """One way customers reach the desk; subclasses name it and receive and send for it."""

    name: ClassVar[str]  # a `Ticket.Channel` value

    @property
    def label(self) -> str:
        return str(Ticket.Channel(self.name).label)

    @property
    def sends_answers(self) -> bool:
        """Whether agents' answers are sent to the customer through this channel."""
        return self.name in Ticket.ANSWERED_BY_EMAIL

    def receive(self, *args, **kwargs):
        """Turn what arrived into a ticket or a message of one (through the actions only)."""
        raise NotImplementedError

    def send(self, message: TicketMessage) -> None:
        """Deliver an agent's answer; the worker calls it with the message locked, once."""
        raise NotImplementedError(f"Answers on the {self.name} channel are not sent.")

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"
