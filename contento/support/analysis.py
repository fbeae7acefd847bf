"""Reading customers' messages with `contento.text`: language, sentiment and anger.

Run by the worker after a message is saved. An angry message flags its ticket and raises its
priority, so agents see it in their queue before they read it.
"""

import logging

from django.conf import settings
from django.db import transaction

from contento.support.actions.tickets import do_mark_ticket_angry
from contento.support.models import Ticket, TicketMessage

log = logging.getLogger(__name__)


def _text_library():
    try:
        import contento.text as text
    except ImportError:  # the library is optional for the desk
        return None
    return text


def unread_messages():
    """Return the messages `analyze_messages` reads that it has not read yet."""
    if _text_library() is None:
        return TicketMessage.objects.none()
    return TicketMessage.objects.filter(
        direction=TicketMessage.Direction.INBOUND, analysis__isnull=True
    ).exclude(body="")


def analyze_messages(message_codes: list[str], batch_size: int = 64) -> int:
    """Analyse these messages (skipping those the current model read); return how many."""
    text = _text_library()
    if text is None:
        return 0
    messages = list(
        TicketMessage.objects.filter(
            code__in=message_codes, direction=TicketMessage.Direction.INBOUND
        ).select_related("ticket")
    )
    version = text.model_version()
    todo = [m for m in messages if not (m.analysis and m.analysis.get("model_version") == version)]
    if not todo:
        return 0
    languages = tuple(code for code, _name in settings.LANGUAGES)
    results = text.analyze_many([m.body for m in todo], batch_size=batch_size, languages=languages)
    for message, result in zip(todo, results, strict=True):
        message.analysis = result.to_dict()
        message.sentiment_score = result.sentiment_score
        message.anger = result.anger
        message.angry = result.angry
    # One statement for the batch; the angry ones flag their ticket in the same transaction.
    with transaction.atomic():
        TicketMessage.objects.bulk_update(
            todo, ["analysis", "sentiment_score", "anger", "angry"], batch_size=200
        )
        flagged = set()
        for message in todo:
            ticket = message.ticket
            if message.angry and ticket.status != Ticket.Status.CLOSED and ticket.pk not in flagged:
                do_mark_ticket_angry(ticket)
                flagged.add(ticket.pk)
    return len(todo)


def analyze_unread(limit: int = 500, batch_size: int = 64) -> tuple[int, bool]:
    """Analyse the oldest `limit` unread messages; return how many, and whether more wait."""
    codes = [
        str(code)
        for code in unread_messages().order_by("pk").values_list("code", flat=True)[:limit]
    ]
    return analyze_messages(codes, batch_size), len(codes) == limit
