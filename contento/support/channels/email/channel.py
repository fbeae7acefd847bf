"""Email: mail to a team's address opens or continues a ticket; answers go back by mail."""

from contento.support.channels.base import Channel
from contento.support.channels.email import inbound, outbound
from contento.support.models import Ticket, TicketMessage


class EmailChannel(Channel):
    name = Ticket.Channel.EMAIL

    def receive(self, raw: bytes, recipients, *, mail_from: str = "", at=None):
        """Thread or open a ticket from a raw mail; return its `InboundEmail` record."""
        return inbound.receive(raw, recipients, mail_from=mail_from, at=at)

    def send(self, message: TicketMessage) -> None:
        outbound.send(message)


class FollowUpChannel(EmailChannel):
    """A ticket the desk opens itself (after a bad rating); it reaches the customer by mail."""

    name = Ticket.Channel.FOLLOW_UP

    def receive(self, *args, **kwargs):
        raise NotImplementedError("A follow-up is opened by actions.ratings, never received.")
