"""What the help desk holds about a customer: their tickets, the conversation on them, the
mail they sent, the files they attached and how they rated the help."""

from functools import reduce
from operator import or_

from django.db.models import Prefetch, Q
from django.utils.translation import gettext as _

from contento.customers.personal import (
    ERASED,
    Entry,
    Erasure,
    PersonalData,
    export_product,
    iso,
    record_key,
    register,
    short,
)
from contento.support import ratings
from contento.support.models import (
    Attachment,
    InboundEmail,
    Ticket,
    TicketEvent,
    TicketMessage,
    TicketParticipant,
    TicketRating,
)


def _any(lookups: list[Q]) -> Q | None:
    return reduce(or_, lookups) if lookups else None


def _message(m) -> dict:
    return {
        "code": str(m.code),
        "kind": m.kind,
        "direction": m.direction,
        "channel": m.channel,
        "created_at": iso(m.created_at),
        "body": m.body,
        "email_from": m.email_from,
        "email_to": m.email_to.split(),
        "attachments": [
            {
                "code": str(a.code),
                "filename": a.filename,
                "content_type": a.content_type,
                "size": a.size,
            }
            for a in m.attachments.all()
        ],
    }


def _ticket(t) -> dict:
    return {
        "code": str(t.code),
        "reference": t.reference,
        "subject": t.subject,
        "channel": t.channel,
        "status": t.status,
        "priority": t.priority,
        "language": t.language,
        "product": t.product and export_product(t.product),
        "created_at": iso(t.created_at),
        "solved_at": iso(t.solved_at),
        "closed_at": iso(t.closed_at),
        "messages": [_message(m) for m in t.messages.all()],
        "ratings": [
            {
                "code": str(r.code),
                "status": r.status,
                "score": r.score,
                "comment": r.comment,
                "answered_at": iso(r.answered_at),
            }
            for r in t.ratings.all()
        ],
    }


@register
class DeskRecords(PersonalData):
    models = (Ticket, TicketMessage, Attachment, InboundEmail, TicketRating, TicketParticipant)
    no_personal_data = {
        TicketEvent: "kinds, times and old and new values of a ticket's fields, no text",
    }

    def export(self, customer):
        """Their tickets with the conversation they took part in (their messages, our replies,
        calls, automatic mail) and the ratings, and the tickets they were copied on.

        The agents' internal notes are left out: they are the business's own working remarks,
        often about other people, and an operator can add them on request.
        """
        public = (
            TicketMessage.objects.exclude(kind=TicketMessage.Kind.NOTE)
            .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("pk")))
            .order_by("created_at", "pk")
        )
        tickets = (
            customer.tickets.select_related("product")
            .prefetch_related(Prefetch("messages", queryset=public), "ratings")
            .order_by("created_at", "pk")
        )
        copied = TicketParticipant.objects.filter(customer=customer).select_related("ticket")
        return {
            "tickets": [_ticket(t) for t in tickets],
            "copied_on_tickets": [
                {"code": str(p.ticket.code), "reference": p.ticket.reference}
                for p in copied.order_by("ticket__created_at", "pk")
            ],
        }

    def erase(self, erasure: Erasure):
        """Blank the subjects of their tickets and every message of them (the customer's, our
        replies and notes, which quote and name them), delete their attachments, blank the mails
        received from their addresses or threaded into their tickets (raw file, sender, subject),
        what they wrote on other customers' tickets, their address in other tickets' Cc lists
        and their rating comments; call off rating requests not yet sent.

        Kept: the tickets' status, channel, times and SLA data, scores, and Message-IDs (a
        redelivered mail must not become a new ticket).
        """
        customer, addresses = erasure.customer, erasure.addresses
        org = customer.organization_id
        ticket_ids = list(Ticket.objects.filter(customer=customer).values_list("pk", flat=True))

        # Mail and messages: the customer's tickets, and what they sent on anyone else's.
        theirs = Q(ticket_id__in=ticket_ids)
        from_them = _any([Q(email_from__iexact=a) for a in addresses])
        if from_them is not None:
            theirs |= Q(organization_id=org) & from_them
        messages = TicketMessage.objects.filter(theirs)
        attachments = Attachment.objects.filter(message__in=messages)
        for attachment in attachments:
            if attachment.file:
                erasure.delete_file(attachment.file.storage, attachment.file.name)
        attachments.delete()
        messages.update(
            body=ERASED,
            body_html="",
            quoted_text="",
            email_from="",
            email_to="",
            delivery_error="",
            analysis=None,
        )
        in_cc = _any([Q(email_to__icontains=a) for a in addresses])
        if in_cc is not None:
            for message in TicketMessage.objects.filter(Q(organization_id=org) & in_cc):
                kept = [a for a in message.email_to.split() if a.lower() not in addresses]
                message.email_to = " ".join(kept)
                message.save(update_fields=["email_to"])
        Ticket.objects.filter(pk__in=ticket_ids).update(subject=ERASED)
        erasure.forget_history(Ticket, ticket_ids)

        mails = Q(ticket_id__in=ticket_ids)
        by_sender = _any([Q(sender__iexact=a) for a in addresses])
        if by_sender is not None:
            mails |= by_sender
        inbound = InboundEmail.objects.filter(Q(organization_id=org) & mails)
        raw_storage = InboundEmail._meta.get_field("raw").storage
        for name in inbound.exclude(raw="").values_list("raw", flat=True):
            erasure.delete_file(raw_storage, name)
        inbound.update(raw="", sender="", subject="", detail="", text="", body_digest="")

        ratings.erase_ratings(TicketRating.objects.filter(ticket_id__in=ticket_ids))

    def timeline(self, customer, limit):
        return (
            self._tickets(customer, limit)
            + self._messages(customer, limit)
            + self._ratings(customer, limit)
        )

    @staticmethod
    def _tickets(customer, limit) -> list[Entry]:
        entries = []
        for t in customer.tickets.order_by("-created_at", "-pk")[:limit]:
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

    @staticmethod
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
                    detail=short(m.body),
                    url=m.ticket.get_absolute_url(),
                    internal=m.kind == TicketMessage.Kind.NOTE,
                    rank=1,
                )
            )
        return entries

    @staticmethod
    def _ratings(customer, limit) -> list[Entry]:
        rows = (
            TicketRating.objects.filter(ticket__customer=customer, answered_at__isnull=False)
            .select_related("ticket", "response")
            .order_by("-answered_at", "-pk")[:limit]
        )
        entries = []
        for r in rows:
            detail = f"{r.score}/5" if r.score is not None else ""
            if r.comment:
                detail += f" · “{short(r.comment)}”"
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
                    # The answer to the rating survey is this rating: shown once, as the rating.
                    replaces=record_key(r.response) if r.response_id else "",
                )
            )
        return entries
