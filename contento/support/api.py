"""Ticket endpoints of the REST API: the same actions and role checks as the desk pages."""

from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import Header, Query, Router
from ninja.errors import HttpError
from ninja.pagination import paginate
from ninja.responses import Status

from contento.accounts.access import require_member
from contento.accounts.models import Membership
from contento.core.api import Flag, MappedPage, Pagination
from contento.core.idempotency import IdempotencyKey
from contento.customers.models import Customer, Product
from contento.support.access import access_ticket
from contento.support.actions.messages import (
    do_add_customer_message,
    do_add_note,
    do_reply_to_ticket,
)
from contento.support.actions.tickets import (
    do_assign_ticket,
    do_create_ticket,
    do_set_ticket_priority,
    do_set_ticket_status,
    do_set_ticket_tags,
    do_set_ticket_team,
)
from contento.support.models import Team, Ticket, TicketMessage
from contento.support.schemas import (
    MessageIn,
    MessageOut,
    TicketDetailOut,
    TicketIn,
    TicketOut,
    TicketPatch,
    TicketStatus,
)

router = Router(tags=["support"])


def _message_out(m: TicketMessage) -> dict:
    analysis = m.analysis or {}
    return {
        "code": m.code,
        "kind": m.kind,
        "direction": m.direction,
        "channel": m.channel,
        "author": m.author.user.email if m.author else None,
        "body": m.body,
        "outcome": m.outcome,
        "created_at": m.created_at,
        "delivery": m.delivery,
        "language": analysis.get("language"),
        "sentiment": analysis.get("sentiment"),
        "angry": m.angry,
    }


def _ticket_out(t: Ticket, messages=None) -> dict:
    out = {
        "code": t.code,
        "reference": t.reference,
        "subject": t.subject,
        "customer": t.customer.code,
        "channel": t.channel,
        "status": t.status,
        "priority": t.priority,
        "team": t.team.code if t.team else None,
        "assignee": t.assignee.user.email if t.assignee else None,
        "tags": [tag.name for tag in t.tags.all()],
        "language": t.language,
        "angry": t.angry,
        "created_at": t.created_at,
        "updated_at": t.updated_at,
        "first_response_at": t.first_response_at,
        "solved_at": t.solved_at,
        "first_response_due_at": t.first_response_due_at,
        "update_due_at": t.update_due_at,
        "resolution_due_at": t.resolution_due_at,
        "sla_breached_at": t.sla_breached_at,
    }
    if messages is not None:
        out["messages"] = [_message_out(m) for m in messages]
    return out


@router.get("/tickets", response=list[TicketOut], summary="List tickets, newest first")
@paginate(Pagination)
def list_tickets(
    request,
    status: TicketStatus | None = Query(None),
    customer: UUID | None = Query(None),
    angry: Flag | None = Query(None),
):
    membership = require_member(request.auth, "ticket.view")
    tickets = Ticket.objects.filter(organization=membership.organization)
    if status:
        tickets = tickets.filter(status=status)
    if customer:
        tickets = tickets.filter(customer__code=customer)
    if angry is not None:
        tickets = tickets.filter(angry=angry)
    tickets = tickets.select_related("customer", "team", "assignee__user").prefetch_related("tags")
    return MappedPage(tickets.order_by("-created_at", "-pk"), _ticket_out)


@router.get("/tickets/{code}", response=TicketDetailOut, summary="Read a ticket and its messages")
def get_ticket(request, code: UUID):
    ticket = access_ticket(request.auth, code)
    messages = ticket.messages.select_related("author__user")
    return _ticket_out(ticket, messages)


def _team(membership, code):
    if code is None:
        return None
    team = Team.objects.filter(organization=membership.organization, code=code).first()
    if team is None:
        raise Http404("No such team.")
    return team


@router.post(
    "/tickets",
    response={200: TicketDetailOut, 201: TicketDetailOut},
    summary="Open a ticket for a customer",
    description="Send an `Idempotency-Key` header to make retries safe (the same key returns "
    "the ticket the first request opened, with status 200).",
)
def create_ticket(
    request,
    payload: TicketIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
):
    membership = require_member(request.auth, "ticket.work")
    customer = Customer.objects.filter(
        organization=membership.organization, code=payload.customer
    ).first()
    if customer is None:
        raise Http404("No such customer in this workspace.")
    product = None
    if payload.product:
        product = Product.objects.filter(
            organization=membership.organization, code=payload.product
        ).first()
        if product is None:
            raise Http404("No such product in this workspace.")
    key = IdempotencyKey.for_member(membership, idempotency_key)
    existed = bool(
        key
        and Ticket.objects.filter(
            organization=membership.organization, idempotency_key=key.value
        ).exists()
    )
    ticket = do_create_ticket(
        membership.organization,
        customer=customer,
        subject=payload.subject,
        body=payload.body,
        channel=payload.channel,
        priority=payload.priority,
        team=_team(membership, payload.team),
        product=product,
        author=membership,
        idempotency_key=key,
    )
    out = _ticket_out(ticket, ticket.messages.select_related("author__user"))
    return Status(200 if existed else 201, out)


@router.patch("/tickets/{code}", response=TicketOut, summary="Change status, priority, team...")
def update_ticket(request, code: UUID, payload: TicketPatch):
    membership = require_member(request.auth, "ticket.work")
    ticket = access_ticket(membership, code, "ticket.work")
    if payload.status is not None:
        ticket = do_set_ticket_status(ticket, payload.status, membership)
    if payload.priority is not None:
        ticket = do_set_ticket_priority(ticket, payload.priority, membership)
    if payload.team is not None:
        ticket = do_set_ticket_team(ticket, _team(membership, payload.team), membership)
    if payload.assignee is not None:
        assignee = None
        if payload.assignee:
            assignee = Membership.objects.filter(
                organization=membership.organization, user__email=payload.assignee.lower()
            ).first()
            if assignee is None:
                raise Http404("No such member.")
        if assignee != membership and not membership.can("ticket.manage"):
            raise PermissionDenied
        ticket = do_assign_ticket(ticket, assignee, membership)
    if payload.tags is not None:
        do_set_ticket_tags(ticket, payload.tags)
    return _ticket_out(access_ticket(membership, code))


@router.post(
    "/tickets/{code}/messages",
    response={201: MessageOut},
    summary="Reply to the customer, add a note, or record the customer's message",
    description="`kind`: `reply` (sent to the customer), `note` (internal) or `customer` "
    "(a message the customer sent through another system).",
)
def add_message(
    request,
    code: UUID,
    payload: MessageIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
):
    membership = require_member(request.auth, "ticket.work")
    ticket = access_ticket(membership, code, "ticket.work")
    key = IdempotencyKey.for_member(membership, idempotency_key)
    if payload.kind == "reply":
        message = do_reply_to_ticket(
            ticket,
            membership,
            body=payload.body,
            status=payload.status,
            idempotency_key=key,
        )
    elif payload.kind == "note":
        message = do_add_note(ticket, membership, payload.body)
    elif payload.kind == "customer":
        message = do_add_customer_message(
            ticket, body=payload.body, channel="api", idempotency_key=key
        )
    else:
        raise HttpError(422, "kind must be reply, note or customer.")
    return Status(201, _message_out(message))
