"""A customer's history on one page: what they bought, asked, answered and what we noted.

Every app tells its part (`PersonalData.timeline` in its `personal_data` module): each source
is read with one query (two for survey responses, whose scores come with them), newest first
and at most `limit` rows each, then the lists are merged by time; so the page costs the same
number of queries however long the customer's history is.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from contento.customers.models import Customer, Note
from contento.customers.personal import Entry, parts

NOTE_MAX_CHARS = 10_000
__all__ = ["Entry", "customer_timeline", "do_add_customer_note"]


def customer_timeline(customer: Customer, limit: int = 200) -> list[Entry]:
    """Return the customer's history, newest first, at most `limit` entries."""
    entries = [entry for part in parts() for entry in part.timeline(customer, limit)]
    replaced = {e.replaces for e in entries if e.replaces}
    entries = [e for e in entries if not (e.key and e.key in replaced)]
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
