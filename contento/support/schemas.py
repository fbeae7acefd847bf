"""Shapes of the ticket endpoints. Texts are bounded by their columns (a message by
MAX_MESSAGE); kinds, statuses and priorities are the desk's own values."""

import datetime as dt
from typing import Annotated
from uuid import UUID

from ninja import Field, Schema

from contento.core.api import choice_of, one_of, text, text_of
from contento.support.models import Tag, Ticket

MAX_MESSAGE = 100_000  # characters of one message, as a pasted log or a long letter
TicketStatus = choice_of(Ticket, "status")
Priority = choice_of(Ticket, "priority")
# A member's email address (the assignee), or "" for nobody.
AssigneeEmail = text(254)


class MessageOut(Schema):
    code: UUID
    kind: str
    direction: str
    channel: str
    author: str | None
    body: str
    outcome: str
    created_at: dt.datetime
    delivery: str
    language: str | None
    sentiment: str | None
    angry: bool


class TicketOut(Schema):
    code: UUID
    reference: str
    subject: str
    customer: UUID
    channel: str
    status: str
    priority: str
    team: UUID | None
    assignee: str | None
    tags: list[str]
    language: str
    angry: bool
    created_at: dt.datetime
    updated_at: dt.datetime
    first_response_at: dt.datetime | None
    solved_at: dt.datetime | None
    first_response_due_at: dt.datetime | None
    update_due_at: dt.datetime | None
    resolution_due_at: dt.datetime | None
    sla_breached_at: dt.datetime | None


class TicketDetailOut(TicketOut):
    messages: list[MessageOut]


class TicketIn(Schema):
    customer: UUID
    subject: text_of(Ticket, "subject")
    body: text(MAX_MESSAGE)
    channel: one_of(c for c in Ticket.Channel.values if c != Ticket.Channel.FOLLOW_UP) = "api"
    priority: Priority = "normal"
    team: UUID | None = None
    product: UUID | None = None


class TicketPatch(Schema):
    status: TicketStatus = None
    priority: Priority = None
    team: UUID = None
    assignee: AssigneeEmail = None
    tags: Annotated[list[text_of(Tag, "name")], Field(max_length=50)] = None


class MessageIn(Schema):
    kind: one_of(["reply", "note", "customer"]) = "reply"
    body: text(MAX_MESSAGE, required=True)
    status: TicketStatus | None = None
