import datetime as dt
from uuid import UUID

from ninja import Schema


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
    subject: str
    body: str
    channel: str = "api"
    priority: str = "normal"
    team: UUID | None = None
    product: UUID | None = None


class TicketPatch(Schema):
    status: str | None = None
    priority: str | None = None
    team: UUID | None = None
    assignee: str | None = None
    tags: list[str] | None = None


class MessageIn(Schema):
    kind: str = "reply"
    body: str
    status: str | None = None
