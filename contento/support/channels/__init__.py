"""The desk's channels, one per `Ticket.Channel` value (the contract is in `base`)."""

from contento.support.channels.base import Channel
from contento.support.channels.conversation import InPersonChannel, PhoneChannel
from contento.support.channels.email.channel import EmailChannel, FollowUpChannel
from contento.support.channels.web import ChatChannel, WebChannel
from contento.support.models import Ticket


class ApiChannel(Channel):
    """Tickets another system opens through `POST /api/v1/tickets`; it tells the
    customer itself, so nothing is sent."""

    name = Ticket.Channel.API


CHANNELS: dict[str, Channel] = {
    channel.name: channel
    for channel in (
        EmailChannel(),
        WebChannel(),
        ChatChannel(),
        PhoneChannel(),
        InPersonChannel(),
        ApiChannel(),
        FollowUpChannel(),
    )
}


def channel(name: str) -> Channel:
    return CHANNELS[name]


def channel_of(ticket: Ticket) -> Channel:
    return CHANNELS[ticket.channel]
