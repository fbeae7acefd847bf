"""Every model that holds a customer's data is some app's to export and erase.

The apps above `customers` tell their share through their `personal_data` module; this test
walks every model that can be reached from a customer row (by a foreign key to it, or to a
row that reaches it) and fails until an app names the model, in `models` or in
`no_personal_data` with the reason. A new app or model cannot forget GDPR.
"""

from datetime import UTC, datetime

from django.apps import apps

from contento.customers.actions import do_create_customer
from contento.customers.gdpr import export_customer
from contento.customers.models import Customer
from contento.customers.personal import PersonalData, parts
from contento.support.actions.tickets import do_create_ticket
from contento.support.models import TicketParticipant


def reachable_from_customer() -> set:
    """Models of Contento's apps with a foreign key to Customer or to a model that has one."""
    ours = [m for m in apps.get_models() if m.__module__.startswith("contento.")]
    found = {Customer}
    while True:
        more = {
            model
            for model in ours
            if model not in found
            and any(f.is_relation and f.related_model in found for f in model._meta.concrete_fields)
        }
        if not more:
            return found - {Customer}
        found |= more


def unclaimed(registered) -> set:
    claimed = {m for part in registered for m in (*part.models, *part.no_personal_data)}
    return reachable_from_customer() - claimed


def test_every_model_reachable_from_a_customer_is_claimed():
    assert unclaimed(parts()) == set()


def test_an_app_that_forgets_its_part_is_caught():
    without_the_desk = [p for p in parts() if p.__module__ != "contento.support.personal_data"]
    missing = {m._meta.label for m in unclaimed(without_the_desk)}
    assert {"support.Ticket", "support.TicketMessage", "support.Attachment"} <= missing


def test_no_model_is_claimed_twice():
    claims = [m for part in parts() for m in (*part.models, *part.no_personal_data)]
    assert len(claims) == len(set(claims))


def test_every_app_with_customer_data_has_a_part():
    labels = {part.__module__.split(".")[1] for part in parts()}
    assert labels == {"customers", "surveys", "support", "distribution"}
    assert all(isinstance(part, PersonalData) for part in parts())


def test_a_part_never_shadows_another_parts_export_keys(db, personas):
    customer = do_create_customer(personas.org, name="Ana", email="ana@example.net")
    keys = [key for part in parts() for key in part.export(customer)]
    assert len(keys) == len(set(keys))
    assert {"customer", "company", "format"}.isdisjoint(keys)


def test_the_tickets_a_customer_was_copied_on_are_in_their_export(db, personas):
    org = personas.org
    owner = do_create_customer(org, name="Ana", email="ana@example.net")
    copied = do_create_customer(org, name="Bruno", email="bruno@example.net")
    ticket = do_create_ticket(
        org, customer=owner, subject="Router", body="It blinks red.", channel="email"
    )
    TicketParticipant.objects.create(
        ticket=ticket, customer=copied, added_at=datetime(2026, 3, 1, tzinfo=UTC)
    )
    data = export_customer(copied)
    assert data["copied_on_tickets"] == [{"code": str(ticket.code), "reference": ticket.reference}]
    assert data["tickets"] == []
    assert export_customer(owner)["copied_on_tickets"] == []
