"""A customer's rights over their personal data: a copy of all of it, and its erasure.

Export (GDPR art. 15 and 20) gathers everything the workspace holds about one customer as
JSON. Erasure (art. 17) removes what identifies them or what they wrote, everywhere, but keeps
the rows that figures are computed from: the customer row itself (renamed), their tickets,
survey responses with their scores, purchases and subscriptions. So NPS, CSAT, ticket volumes
and revenue read the same before and after, and nothing is left that names the person.

The customer row is handled here; every app's share comes from its `personal_data` module
(`contento.customers.personal`), so this module names no app above `customers`.
"""

import logging

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from contento.customers.models import Customer
from contento.customers.personal import ERASED, Erasure, iso, parts

log = logging.getLogger(__name__)

EXPORT_FORMAT = "contento.customer-export/1"
# What an erased customer is called. Stored data, not interface text, so not translated.
ERASED_NAME = "Erased customer"
__all__ = ["ERASED", "ERASED_NAME", "do_erase_customer", "export_customer"]


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
        "created_at": iso(customer.created_at),
        "updated_at": iso(customer.updated_at),
        "erased_at": iso(customer.erased_at),
    }


def _company(company) -> dict | None:
    if company is None:
        return None
    return {"code": str(company.code), "name": company.name, "domain": company.domain}


def export_customer(customer: Customer) -> dict:
    """Return everything held about a customer, as JSON-serialisable data.

    Keys are stable and every object is named by its `code` (a UUID string), never its
    database id; times are ISO 8601 and amounts decimal strings. After the profile and company
    come every app's keys (`PersonalData.export`): contact points, purchases, subscriptions and
    notes; tickets with the conversation and ratings; survey invitations and responses.
    """
    customer = Customer.objects.select_related("company").get(pk=customer.pk)
    export = {
        "format": EXPORT_FORMAT,
        "exported_at": iso(timezone.now()),
        "customer": _profile(customer),
        "company": _company(customer.company),
    }
    for part in parts():
        export.update(part.export(customer))
    return export


def _delete_files(files: list[tuple]) -> None:
    for storage, name in files:
        try:
            storage.delete(name)
        except OSError:
            # The row is gone either way; a file left behind is logged for the operator.
            log.exception("erased file could not be deleted", extra={"file": name})


def do_erase_customer(customer: Customer, actor=None) -> None:
    """Erase a customer's personal data on their request (GDPR art. 17), in one transaction.

    Every app erases its share first (`PersonalData.erase`: what each removes and keeps is
    listed there), then the profile: the name replaced, email, phone, time zone, external id
    and attributes emptied, consent withdrawn. The admin's history of the rows named is
    blanked, and the files are deleted from storage once the transaction commits.

    Kept, so that every figure stays right: the customer row (with `erased_at` set), which the
    responses, tickets, purchases and subscriptions still point to. Erasing again finds nothing
    left and changes nothing.
    """
    if actor is not None and actor.organization_id != customer.organization_id:
        raise ValidationError("That person is not a member of this workspace.")
    with transaction.atomic():
        customer = Customer.objects.select_for_update().get(pk=customer.pk)
        addresses = sorted({a.strip().lower() for a in customer.all_emails() if a.strip()})
        erasure = Erasure(customer=customer, actor=actor, addresses=addresses)
        for part in parts():
            part.erase(erasure)

        # The admin's history names the objects it changed.
        erasure.forget_history(Customer, [customer.pk])
        for model, ids in erasure.history:
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
        files = erasure.files
        transaction.on_commit(lambda: _delete_files(files), robust=True)
    log.info(
        "customer erased",
        extra={"customer": str(customer.code), "actor": actor.pk if actor else None},
    )
