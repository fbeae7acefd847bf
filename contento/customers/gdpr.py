"""A customer's rights over their personal data: a copy of all of it, and its erasure.

Export (GDPR art. 15 and 20) gathers everything the workspace holds about one customer as
JSON. Erasure (art. 17) removes what identifies them or what they wrote, everywhere, but keeps
the rows that figures are computed from: the customer row itself (renamed), their tickets,
survey responses with their scores, purchases and subscriptions. So NPS, CSAT, ticket volumes
and revenue read the same before and after, and nothing is left that names the person.
"""

import logging
from functools import reduce
from operator import or_

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils import timezone

from contento.customers.models import ContactPoint, Customer, Note
from contento.support.models import (
    Attachment,
    InboundEmail,
    Ticket,
    TicketMessage,
    TicketRating,
)
from contento.surveys.models import Answer, Invitation, Response

log = logging.getLogger(__name__)

EXPORT_FORMAT = "contento.customer-export/1"
# What erased text becomes. Stored data, not interface text, so not translated.
ERASED_NAME = "Erased customer"
ERASED = "[erased]"


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _product(product) -> dict:
    return {"code": str(product.code), "name": product.name, "kind": product.kind}


def _survey(survey) -> dict:
    return {"code": str(survey.code), "title": survey.title}


def _profile(customer: Customer) -> dict:
    return {
        "code": str(customer.code),
        "name": customer.name,
        "email": customer.email,
        "phone": customer.phone,
        "language": customer.language,
        "timezone": customer.timezone,
        "contact_consent": customer.contact_consent,
        "external_id": customer.external_id,
        "attributes": dict(customer.attributes or {}),
        "created_at": _iso(customer.created_at),
        "updated_at": _iso(customer.updated_at),
        "erased_at": _iso(customer.erased_at),
    }


def _company(company) -> dict | None:
    if company is None:
        return None
    return {"code": str(company.code), "name": company.name, "domain": company.domain}


def _purchase(p) -> dict:
    return {
        "code": str(p.code),
        "product": _product(p.product),
        "purchased_at": _iso(p.purchased_at),
        "amount": str(p.amount),
        "currency": p.currency,
        "channel": p.channel,
        "external_id": p.external_id,
    }


def _subscription(s) -> dict:
    return {
        "code": str(s.code),
        "product": _product(s.product),
        "status": s.status,
        "started_on": _iso(s.started_on),
        "renews_on": _iso(s.renews_on),
        "ends_on": _iso(s.ends_on),
        "monthly_amount": str(s.monthly_amount),
        "currency": s.currency,
        "renewals": s.renewals,
        "external_id": s.external_id,
    }


def _message(m) -> dict:
    return {
        "code": str(m.code),
        "kind": m.kind,
        "direction": m.direction,
        "channel": m.channel,
        "created_at": _iso(m.created_at),
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


def _rating(r) -> dict:
    return {
        "code": str(r.code),
        "status": r.status,
        "score": r.score,
        "comment": r.comment,
        "answered_at": _iso(r.answered_at),
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
        "product": t.product and _product(t.product),
        "created_at": _iso(t.created_at),
        "solved_at": _iso(t.solved_at),
        "closed_at": _iso(t.closed_at),
        "messages": [_message(m) for m in t.messages.all()],
        "ratings": [_rating(r) for r in t.ratings.all()],
    }


def _answer(a) -> dict:
    return {
        "question": a.question.key,
        "question_text": a.question.text,
        "item": a.item.key if a.item_id else None,
        "part": a.part,
        "choice": a.choice.key if a.choice_id else None,
        "value": a.value,
        "text": a.text,
        "answered_at": _iso(a.answered_at),
    }


def export_customer(customer: Customer) -> dict:
    """Return everything held about a customer, as JSON-serialisable data.

    Keys are stable and every object is named by its `code` (a UUID string), never its
    database id; times are ISO 8601 and amounts decimal strings. A ticket carries the
    conversation the customer took part in (their messages, our replies, calls, automatic
    mail) and its ratings, but not the agents' internal notes: those are the business's own
    working remarks, often about other people, and an operator can add them on request. The
    notes written on the customer's record are included.
    """
    customer = Customer.objects.select_related("company").get(pk=customer.pk)
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
    answers = Answer.objects.select_related("question", "item", "choice").order_by(
        "question__page", "question__position", "pk"
    )
    responses = (
        customer.responses.select_related("survey")
        .prefetch_related(Prefetch("answers", queryset=answers))
        .order_by("started_at", "pk")
    )
    return {
        "format": EXPORT_FORMAT,
        "exported_at": _iso(timezone.now()),
        "customer": _profile(customer),
        "company": _company(customer.company),
        "contact_points": [
            {"kind": c.kind, "value": c.value} for c in customer.contacts.order_by("pk")
        ],
        "purchases": [
            _purchase(p)
            for p in customer.purchases.select_related("product").order_by("purchased_at", "pk")
        ],
        "subscriptions": [
            _subscription(s)
            for s in customer.subscriptions.select_related("product").order_by("started_on", "pk")
        ],
        "notes": [
            {"created_at": _iso(n.created_at), "body": n.body}
            for n in customer.notes.order_by("created_at", "pk")
        ],
        "tickets": [_ticket(t) for t in tickets],
        "survey_invitations": [
            {
                "code": str(i.code),
                "survey": _survey(i.survey),
                "status": i.status,
                "language": i.language,
                "created_at": _iso(i.created_at),
                "sent_at": _iso(i.sent_at),
            }
            for i in customer.invitations.select_related("survey").order_by("created_at", "pk")
        ],
        "survey_responses": [
            {
                "code": str(r.code),
                "survey": _survey(r.survey),
                "status": r.status,
                "source": r.source,
                "language": r.language,
                "started_at": _iso(r.started_at),
                "completed_at": _iso(r.completed_at),
                "answers": [_answer(a) for a in r.answers.all()],
            }
            for r in responses
        ],
    }


def _any(lookups: list[Q]) -> Q | None:
    return reduce(or_, lookups) if lookups else None


def _delete_files(files: list[tuple]) -> None:
    for storage, name in files:
        try:
            storage.delete(name)
        except OSError:
            # The row is gone either way; a file left behind is logged for the operator.
            log.exception("erased file could not be deleted", extra={"file": name})


def do_erase_customer(customer: Customer, actor=None) -> None:
    """Erase a customer's personal data on their request (GDPR art. 17), in one transaction.

    Removed or blanked: the profile (name replaced, email, phone, time zone, external id and
    attributes emptied, consent withdrawn), contact points and notes on the record; the subjects of
    their tickets and every message of them (the customer's and our replies and notes, which
    quote and name them), their attachments (files deleted from storage once committed), the
    mails received from their addresses or threaded into their tickets (raw file, sender,
    subject), rating comments, the text of their survey answers, what they wrote on other
    customers' tickets, and their address in the Cc lists of other tickets. Rating requests
    and survey invitations not yet sent are called off.

    Kept, so that every figure stays right: the customer row (with `erased_at` set), their
    tickets' status, channel, times and SLA data, the scores of their survey answers (the
    `insights` counts are untouched), the responses' link to the customer row, purchases and
    subscriptions, and Message-IDs (a redelivered mail must not become a new ticket). Erasing
    again finds nothing left and changes nothing.
    """
    if actor is not None and actor.organization_id != customer.organization_id:
        raise ValidationError("That person is not a member of this workspace.")
    with transaction.atomic():
        customer = Customer.objects.select_for_update().get(pk=customer.pk)
        org = customer.organization_id
        addresses = sorted({a.strip().lower() for a in customer.all_emails() if a.strip()})
        ticket_ids = list(Ticket.objects.filter(customer=customer).values_list("pk", flat=True))

        # Mail and messages: the customer's tickets, and what they sent on anyone else's.
        theirs = Q(ticket_id__in=ticket_ids)
        from_them = _any([Q(email_from__iexact=a) for a in addresses])
        if from_them is not None:
            theirs |= Q(organization_id=org) & from_them
        messages = TicketMessage.objects.filter(theirs)
        files = []
        attachments = Attachment.objects.filter(message__in=messages)
        for attachment in attachments:
            if attachment.file:
                files.append((attachment.file.storage, attachment.file.name))
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

        mails = Q(ticket_id__in=ticket_ids)
        by_sender = _any([Q(sender__iexact=a) for a in addresses])
        if by_sender is not None:
            mails |= by_sender
        inbound = InboundEmail.objects.filter(Q(organization_id=org) & mails)
        raw_storage = InboundEmail._meta.get_field("raw").storage
        files += [
            (raw_storage, name) for name in inbound.exclude(raw="").values_list("raw", flat=True)
        ]
        inbound.update(raw="", sender="", subject="", detail="", text="", body_digest="")

        ratings = TicketRating.objects.filter(ticket_id__in=ticket_ids)
        ratings.filter(status=TicketRating.Status.SCHEDULED).update(
            status=TicketRating.Status.SKIPPED
        )
        ratings.exclude(comment="").update(comment="")
        responses = Response.objects.filter(
            Q(customer=customer) | Q(pk__in=ratings.values("response_id"))
        )
        # Only the text goes: the scores stay, so the rollup counts need no change.
        Answer.objects.filter(response__in=responses).exclude(text="").update(text="")
        Invitation.objects.filter(customer=customer).exclude(error="").update(error="")
        Invitation.objects.filter(customer=customer, status=Invitation.Status.PENDING).update(
            status=Invitation.Status.FAILED
        )

        contact_ids = list(customer.contacts.values_list("pk", flat=True))
        note_ids = list(customer.notes.values_list("pk", flat=True))
        ContactPoint.objects.filter(pk__in=contact_ids).delete()
        Note.objects.filter(pk__in=note_ids).delete()
        # The admin's history names the objects it changed.
        for model, ids in (
            (Customer, [customer.pk]),
            (ContactPoint, contact_ids),
            (Note, note_ids),
            (Ticket, ticket_ids),
        ):
            if ids:
                LogEntry.objects.filter(
                    content_type=ContentType.objects.get_for_model(model),
                    object_id__in=[str(i) for i in ids],
                ).update(object_repr=ERASED, change_message="")

        customer.name = ERASED_NAME
        customer.email = ""
        customer.phone = ""
        customer.timezone = ""
        customer.external_id = ""
        customer.attributes = {}
        customer.contact_consent = False
        customer.erased_at = customer.erased_at or timezone.now()
        customer.save()
        transaction.on_commit(lambda: _delete_files(files), robust=True)
    log.info(
        "customer erased",
        extra={"customer": str(customer.code), "actor": actor.pk if actor else None},
    )
