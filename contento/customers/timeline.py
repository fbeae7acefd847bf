"""A customer's history on one page: what they bought, asked, answered and what we noted.

Every source is read with one query (two for survey responses, whose scores come with them),
newest first and at most `limit` rows each, then the lists are merged by time; so the page
costs the same number of queries however long the customer's history is.
"""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from contento.customers.models import Customer, Note, Subscription
from contento.support.models import TicketMessage, TicketRating
from contento.surveys.models import Answer, Response

# How much of a message or comment the timeline shows; the ticket page has the rest.
DETAIL_CHARS = 240
NOTE_MAX_CHARS = 10_000
SCORE_KINDS = ("nps", "csat", "ces")


@dataclass(frozen=True)
class Entry:
    """One thing that happened to a customer, ready to show on their timeline.

    `category` groups entries for styling and filtering (purchase, subscription, ticket,
    message, note, survey, rating); `kind` says exactly what happened within it.
    """

    at: dt.datetime
    kind: str
    category: str
    icon: str
    title: str
    detail: str = ""
    url: str = ""
    internal: bool = False
    # Among entries at the same instant, the higher rank is shown first (newest first): a
    # ticket's first message comes above the "ticket opened" line it belongs to.
    rank: int = 0


def _start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def _short(text: str) -> str:
    return Truncator(" ".join((text or "").split())).chars(DETAIL_CHARS)


def _money(amount, currency: str) -> str:
    return f"{amount} {currency}"


def _purchases(customer, limit) -> list[Entry]:
    rows = customer.purchases.select_related("product").order_by("-purchased_at", "-pk")[:limit]
    return [
        Entry(
            at=p.purchased_at,
            kind="purchase",
            category="purchase",
            icon="🛒",
            title=_("Bought %(product)s") % {"product": p.product.name},
            detail=f"{_money(p.amount, p.currency)} · {p.get_channel_display()}",
        )
        for p in rows
    ]


def _subscriptions(customer, limit) -> list[Entry]:
    rows = customer.subscriptions.select_related("product").order_by("-started_on", "-pk")[:limit]
    entries = []
    for s in rows:
        name = s.product.name
        amount = _money(s.monthly_amount, s.currency)
        entries.append(
            Entry(
                at=_start_of(s.started_on),
                kind="subscription_started",
                category="subscription",
                icon="↻",
                title=_("Subscribed to %(product)s") % {"product": name},
                detail=_("%(amount)s a month") % {"amount": amount},
            )
        )
        if s.ends_on:
            entries.append(
                Entry(
                    at=_start_of(s.ends_on),
                    kind="subscription_ended",
                    category="subscription",
                    icon="■",
                    title=_("Subscription to %(product)s ended") % {"product": name},
                    detail=s.get_status_display(),
                )
            )
        elif s.renews_on and s.status == Subscription.Status.ACTIVE:
            entries.append(
                Entry(
                    at=_start_of(s.renews_on),
                    kind="subscription_renews",
                    category="subscription",
                    icon="↻",
                    title=_("Subscription to %(product)s renews") % {"product": name},
                    detail=_("%(amount)s a month") % {"amount": amount},
                )
            )
    return entries


def _tickets(customer, limit) -> list[Entry]:
    rows = customer.tickets.order_by("-created_at", "-pk")[:limit]
    entries = []
    for t in rows:
        url = t.get_absolute_url()
        label = f"#{t.reference} {t.subject}"
        entries.append(
            Entry(
                at=t.created_at,
                kind="ticket_opened",
                category="ticket",
                icon="✉",
                title=_("Ticket opened: %(ticket)s") % {"ticket": label},
                detail=f"{t.get_channel_display()} · {t.get_status_display()}",
                url=url,
            )
        )
        if t.solved_at:
            entries.append(
                Entry(
                    at=t.solved_at,
                    kind="ticket_solved",
                    category="ticket",
                    icon="✓",
                    title=_("Ticket solved: %(ticket)s") % {"ticket": label},
                    url=url,
                    rank=2,
                )
            )
    return entries


def _messages(customer, limit) -> list[Entry]:
    kinds = [TicketMessage.Kind.MESSAGE, TicketMessage.Kind.CALL, TicketMessage.Kind.NOTE]
    rows = (
        TicketMessage.objects.filter(ticket__customer=customer, kind__in=kinds)
        .select_related("ticket", "author__user")
        .order_by("-created_at", "-pk")[:limit]
    )
    entries = []
    for m in rows:
        ticket = f"#{m.ticket.reference}"
        author = str(m.author.user) if m.author else ""
        if m.kind == TicketMessage.Kind.NOTE:
            kind, icon = "ticket_note", "✎"
            title = _("Internal note on %(ticket)s by %(author)s") % {
                "ticket": ticket,
                "author": author or "—",
            }
        elif m.kind == TicketMessage.Kind.CALL:
            kind, icon = "call", "☎"
            title = _("Call or conversation on %(ticket)s") % {"ticket": ticket}
        elif m.direction == TicketMessage.Direction.INBOUND:
            kind, icon = "customer_message", "→"
            title = _("Message from the customer on %(ticket)s") % {"ticket": ticket}
        else:
            kind, icon = "agent_reply", "←"
            title = _("Reply on %(ticket)s by %(author)s") % {
                "ticket": ticket,
                "author": author or "—",
            }
        entries.append(
            Entry(
                at=m.created_at,
                kind=kind,
                category="message",
                icon=icon,
                title=title,
                detail=_short(m.body),
                url=m.ticket.get_absolute_url(),
                internal=m.kind == TicketMessage.Kind.NOTE,
                rank=1,
            )
        )
    return entries


def _invitations(customer, limit) -> list[Entry]:
    rows = (
        customer.invitations.filter(sent_at__isnull=False)
        .select_related("survey")
        .order_by("-sent_at", "-pk")[:limit]
    )
    return [
        Entry(
            at=i.sent_at,
            kind="survey_invited",
            category="survey",
            icon="✉",
            title=_("Invited to the survey %(survey)s") % {"survey": i.survey.title},
        )
        for i in rows
    ]


def _scores_and_comment(response) -> str:
    scores, comments = [], []
    for a in response.answers.all():
        if a.question.kind in SCORE_KINDS and a.value is not None and a.item_id is None:
            scores.append(f"{a.question.kind.upper()} {a.value}")
        elif a.text:
            comments.append(f"“{_short(a.text)}”")
    return " · ".join(scores + comments)


def _responses(customer, limit) -> list[Entry]:
    answers = Answer.objects.select_related("question").filter(
        Q(question__kind__in=SCORE_KINDS, value__isnull=False) | ~Q(text="")
    )
    # Answers to the "How were you treated?" question show as the ticket's rating instead.
    ratings = TicketRating.objects.filter(ticket__customer=customer, response__isnull=False)
    rows = (
        customer.responses.filter(status=Response.Status.COMPLETE)
        .exclude(pk__in=ratings.values("response_id"))
        .select_related("survey")
        .prefetch_related(Prefetch("answers", queryset=answers.order_by("question__page", "pk")))
        .order_by("-completed_at", "-pk")[:limit]
    )
    return [
        Entry(
            at=r.completed_at or r.started_at,
            kind="survey_completed",
            category="survey",
            icon="★",
            title=_("Answered the survey %(survey)s") % {"survey": r.survey.title},
            detail=_scores_and_comment(r),
            rank=1,
        )
        for r in rows
    ]


def _ratings(customer, limit) -> list[Entry]:
    rows = (
        TicketRating.objects.filter(ticket__customer=customer, answered_at__isnull=False)
        .select_related("ticket")
        .order_by("-answered_at", "-pk")[:limit]
    )
    entries = []
    for r in rows:
        detail = f"{r.score}/5" if r.score is not None else ""
        if r.comment:
            detail += f" · “{_short(r.comment)}”"
        entries.append(
            Entry(
                at=r.answered_at,
                kind="ticket_rated",
                category="rating",
                icon="★",
                title=_("Rated the help on %(ticket)s") % {"ticket": f"#{r.ticket.reference}"},
                detail=detail,
                url=r.ticket.get_absolute_url(),
                rank=1,
            )
        )
    return entries


def _notes(customer, limit) -> list[Entry]:
    rows = customer.notes.select_related("author__user").order_by("-created_at", "-pk")[:limit]
    return [
        Entry(
            at=n.created_at,
            kind="note",
            category="note",
            icon="✎",
            title=_("Note by %(author)s") % {"author": str(n.author.user) if n.author else "—"},
            detail=n.body,
            internal=True,
        )
        for n in rows
    ]


SOURCES = (
    _purchases,
    _subscriptions,
    _tickets,
    _messages,
    _invitations,
    _responses,
    _ratings,
    _notes,
)


def customer_timeline(customer: Customer, limit: int = 200) -> list[Entry]:
    """Return the customer's history, newest first, at most `limit` entries."""
    entries = [entry for source in SOURCES for entry in source(customer, limit)]
    entries.sort(key=lambda e: (e.at, e.rank), reverse=True)
    return entries[:limit]


def do_add_customer_note(customer: Customer, author_membership, body: str) -> Note:
    """Write a member's note on a customer's record (never sent to the customer)."""
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write something in the note.")})
    if len(body) > NOTE_MAX_CHARS:
        raise ValidationError(
            {"body": _("A note may hold at most %(count)s characters.") % {"count": NOTE_MAX_CHARS}}
        )
    if author_membership is not None and author_membership.organization_id != (
        customer.organization_id
    ):
        raise ValidationError(_("That person is not a member of this workspace."))
    if customer.erased_at is not None:
        # A note would bring personal data back to a record erased on the customer's request.
        raise ValidationError(_("This customer's personal data was erased."))
    return Note.objects.create(customer=customer, author=author_membership, body=body)
