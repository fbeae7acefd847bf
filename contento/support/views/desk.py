"""The agents' desk: queues, a ticket with its conversation, and everything done on it."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import F, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from contento.accounts.access import member_required
from contento.accounts.models import Membership
from contento.accounts.roles import roles_with
from contento.core.idempotency import IdempotencyKey
from contento.customers.access import access_customer
from contento.customers.search import find_customers
from contento.customers.timeline import customer_timeline
from contento.support import canned
from contento.support.access import access_canned_reply, access_ticket
from contento.support.actions.messages import do_add_note, do_log_conversation, do_reply_to_ticket
from contento.support.actions.tickets import (
    do_assign_ticket,
    do_revoke_customer_links,
    do_set_ticket_priority,
    do_set_ticket_status,
    do_set_ticket_tags,
    do_set_ticket_team,
)
from contento.support.attention import needing_attention
from contento.support.channels import channel
from contento.support.forms import CallForm, NewConversationForm, NoteForm, ReplyForm
from contento.support.models import CannedReply, Team, Ticket, TicketRating

OPEN = [
    Ticket.Status.NEW,
    Ticket.Status.OPEN,
    Ticket.Status.PENDING_CUSTOMER,
    Ticket.Status.ON_HOLD,
]


def _views_for(membership) -> list[tuple[str, str]]:
    views = [("mine", _("Mine")), ("unassigned", _("Unassigned")), ("team", _("My teams"))]
    if membership.can("ticket.manage"):
        views.append(("all", _("All tickets")))
    return views


@member_required("ticket.view")
def queue(request, membership):
    """List tickets by queue, the most urgent first: angry, then the nearest SLA due time."""
    views = _views_for(membership)
    default = "mine" if membership.can("ticket.work") else "all"
    if not membership.can("ticket.manage") and not membership.can("ticket.work"):
        default = "team"
    view = request.GET.get("view", default)
    if view not in dict(views):
        view = default
    tickets = Ticket.objects.filter(organization=membership.organization)
    my_teams = Team.objects.filter(members=membership)
    if view == "mine":
        tickets = tickets.filter(assignee=membership)
    elif view == "unassigned":
        tickets = tickets.filter(assignee__isnull=True)
        if not membership.can("ticket.manage"):
            tickets = tickets.filter(Q(team__in=my_teams) | Q(team__isnull=True))
    elif view == "team":
        tickets = tickets.filter(team__in=my_teams)
    status = request.GET.get("status", "open")
    if status == "open":
        tickets = tickets.filter(status__in=OPEN)
    elif status in Ticket.Status.values:
        tickets = tickets.filter(status=status)
    if request.GET.get("angry"):
        tickets = tickets.filter(angry=True)
    query = request.GET.get("q", "").strip()
    if query:
        tickets = tickets.filter(
            Q(subject__icontains=query)
            | Q(reference__iexact=query.lstrip("#"))
            | Q(customer__name__icontains=query)
            | Q(customer__email__icontains=query)
        )
    tickets = tickets.select_related("customer", "team", "assignee__user").order_by(
        "-angry", F("sla_next_due_at").asc(nulls_last=True), "-created_at"
    )
    page = Paginator(tickets, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "support/queue.html",
        {
            "page": page,
            "views": views,
            "view": view,
            "status": status,
            "statuses": Ticket.Status.choices,
            "query": query,
            "angry": bool(request.GET.get("angry")),
            "attention_count": needing_attention(membership.organization).count(),
        },
    )


def _ticket_context(membership, ticket, **forms):
    conversation = ticket.messages.select_related("author__user").prefetch_related("attachments")
    members = Membership.objects.filter(
        organization=membership.organization, role__in=roles_with("ticket.work")
    ).select_related("user")
    replies = CannedReply.objects.filter(organization=membership.organization).filter(
        Q(team__isnull=True) | Q(team=ticket.team)
    )
    conversation = list(conversation)
    return {
        "ticket": ticket,
        "conversation": conversation,
        "last": max((m.pk for m in conversation), default=0),
        "events": ticket.events.select_related("actor__user")[:100],
        "ratings": TicketRating.objects.filter(ticket=ticket).select_related("agent__user"),
        "reply_form": forms.get("reply_form") or ReplyForm(),
        "note_form": forms.get("note_form") or NoteForm(prefix="note"),
        "call_form": forms.get("call_form") or CallForm(prefix="call"),
        "members": members,
        "teams": Team.objects.filter(organization=membership.organization),
        "canned_replies": replies,
        "statuses": Ticket.Status.choices,
        "priorities": Ticket.Priority.choices,
        "tags": ", ".join(t.name for t in ticket.tags.all()),
        "can_work": membership.can("ticket.work"),
        "can_manage": membership.can("ticket.manage"),
        "follow_ups": ticket.follow_ups.all(),
        **_customer_context(membership, ticket),
    }


# How much of the customer the ticket page shows beside the conversation.
CONTEXT_TICKETS = 5
CONTEXT_FEEDBACK = 5


def _customer_context(membership, ticket) -> dict:
    """What an agent should know about the customer while answering: their other tickets,
    their latest scores and comments, what they bought and subscribe to, their attributes."""
    customer = ticket.customer
    if not membership.can("customer.view") or customer.erased_at is not None:
        return {"context": None}
    others = (
        Ticket.objects.filter(customer=customer)
        .exclude(pk=ticket.pk)
        .order_by("-created_at")[:CONTEXT_TICKETS]
    )
    feedback = [
        entry
        for entry in customer_timeline(customer, limit=50)
        if entry.category in {"survey", "rating"}
    ][:CONTEXT_FEEDBACK]
    return {
        "context": {
            "customer": customer,
            "tickets": others,
            "feedback": feedback,
            "purchases": customer.purchases.select_related("product").order_by("-purchased_at")[:5],
            "subscriptions": customer.subscriptions.select_related("product").order_by(
                "-started_on"
            )[:5],
            "attributes": sorted((customer.attributes or {}).items()),
        }
    }


@member_required("ticket.view")
def ticket_detail(request, membership, code):
    ticket = access_ticket(membership, code)
    return render(request, "support/ticket.html", _ticket_context(membership, ticket))


@member_required("ticket.view")
def conversation(request, membership, code):
    """The ticket's messages alone, polled by a live chat's page; 204 (one indexed query)
    until a message newer than ?after= arrives."""
    ticket = access_ticket(membership, code)
    after = _int(request.GET.get("after"))
    if after is not None and ticket.is_open and not ticket.messages.filter(pk__gt=after).exists():
        return HttpResponse(status=204)
    messages_ = list(ticket.messages.select_related("author__user").prefetch_related("attachments"))
    return render(
        request,
        "support/_conversation.html",
        {
            "ticket": ticket,
            "conversation": messages_,
            "last": max((m.pk for m in messages_), default=0),
        },
    )


def _rerender(request, membership, ticket, **forms):
    context = _ticket_context(membership, ticket, **forms)
    return render(request, "support/ticket.html", context, status=400)


@require_POST
@member_required("ticket.work")
def reply(request, membership, code):
    ticket = access_ticket(membership, code, "ticket.work")
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            do_reply_to_ticket(
                ticket,
                membership,
                body=form.cleaned_data["body"],
                status=form.cleaned_data["status"] or None,
                idempotency_key=IdempotencyKey.from_form(
                    request.POST.get("idempotency_key"), "support-reply"
                ),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Reply sent."))
            return redirect(ticket)
    return _rerender(request, membership, ticket, reply_form=form)


@require_POST
@member_required("ticket.work")
def note(request, membership, code):
    ticket = access_ticket(membership, code, "ticket.work")
    form = NoteForm(request.POST, prefix="note")
    if form.is_valid():
        do_add_note(ticket, membership, form.cleaned_data["body"])
        return redirect(ticket)
    return _rerender(request, membership, ticket, note_form=form)


@require_POST
@member_required("ticket.work")
def log_call(request, membership, code):
    ticket = access_ticket(membership, code, "ticket.work")
    form = CallForm(request.POST, prefix="call")
    if form.is_valid():
        do_log_conversation(ticket, membership, **form.cleaned_data)
        messages.success(request, _("Conversation logged."))
        return redirect(ticket)
    return _rerender(request, membership, ticket, call_form=form)


@require_POST
@member_required("ticket.work")
def revoke_links(request, membership, code):
    """Void the links the customer was sent (a forwarded or leaked email)."""
    ticket = access_ticket(membership, code, "ticket.work")
    do_revoke_customer_links(ticket, membership)
    messages.success(
        request, _("The customer's links no longer work; new messages carry new ones.")
    )
    return redirect(ticket)


@require_POST
@member_required("ticket.work")
def update(request, membership, code):
    """Change the status, priority, team, assignee or tags from the ticket's side panel."""
    ticket = access_ticket(membership, code, "ticket.work")
    post = request.POST
    try:
        if "status" in post:
            do_set_ticket_status(ticket, post["status"], membership)
        if "priority" in post:
            do_set_ticket_priority(ticket, post["priority"], membership)
        if "team" in post:
            team = None
            if post["team"]:
                team = Team.objects.filter(
                    organization=membership.organization, code=post["team"]
                ).first()
                if team is None:
                    raise ValidationError(_("No such team."))
            do_set_ticket_team(ticket, team, membership)
            ticket.refresh_from_db()
        if "assignee" in post:
            assignee = None
            if post["assignee"] == "me":
                assignee = membership
            elif post["assignee"]:
                if not membership.can("ticket.manage"):
                    raise ValidationError(_("Only managers give tickets to someone else."))
                assignee = Membership.objects.filter(
                    organization=membership.organization, pk=_int(post["assignee"])
                ).first()
                if assignee is None:
                    raise ValidationError(_("No such member."))
            elif ticket.assignee_id not in (None, membership.pk) and not membership.can(
                "ticket.manage"
            ):
                raise ValidationError(_("Only managers take a ticket away from someone."))
            do_assign_ticket(ticket, assignee, membership)
        if "tags" in post:
            do_set_ticket_tags(ticket, post["tags"].split(","))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(ticket)


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@member_required("ticket.work")
def canned_reply(request, membership, code, reply_code):
    """Return a canned reply filled in for this ticket, in the customer's language (htmx)."""
    ticket = access_ticket(membership, code, "ticket.work")
    reply_ = access_canned_reply(membership, reply_code)
    _language, text = canned.render(reply_, ticket, membership)
    return HttpResponse(text, content_type="text/plain; charset=utf-8")


@member_required("ticket.work")
def new_conversation(request, membership):
    """Log a call or a visit that starts a new ticket, with the customer's rating if given."""
    customer = None
    code = request.GET.get("customer") or request.POST.get("customer")
    if code:
        customer = access_customer(membership, code)
    form = NewConversationForm(request.POST or None, initial={"customer": code})
    if request.method == "POST" and form.is_valid() and customer is not None:
        data = form.cleaned_data
        try:
            ticket = channel(data["channel"]).receive(
                membership,
                customer,
                subject=data["subject"],
                body=data["body"],
                outcome=data["outcome"],
                rating=data["rating"],
                idempotency_key=IdempotencyKey.from_form(
                    request.POST.get("idempotency_key"), "support-new-conversation"
                ),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Conversation logged."))
            return redirect(ticket)
    query = request.GET.get("q", "")
    found = find_customers(membership.organization, query) if customer is None else []
    return render(
        request,
        "support/new_conversation.html",
        {"form": form, "customer": customer, "query": query, "found": found},
    )
