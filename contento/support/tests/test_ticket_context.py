"""Beside the conversation, the agent sees the customer; a call starts from a search."""

from datetime import date

from django.urls import reverse
from django.utils import timezone

from conftest import FULL_DEFINITION
from contento.accounts.roles import Role
from contento.customers.actions import do_create_customer, do_save_product
from contento.customers.models import Purchase, Subscription
from contento.support.actions.tickets import do_create_ticket
from contento.support.models import Ticket
from contento.surveys.actions import do_create_survey, do_submit_response


def _ticket(desk, subject="Factura duplicada"):
    return do_create_ticket(
        desk.org,
        customer=desk.customer,
        subject=subject,
        body="Me cobraron dos veces.",
        channel=Ticket.Channel.WEB,
        team=desk.team,
    )


def test_the_ticket_shows_the_customers_other_tickets_scores_and_products(personas, desk):
    customer = desk.customer
    customer.attributes = {"plan": "business"}
    customer.save()
    older = _ticket(desk, subject="Router sin conexión")
    ticket = _ticket(desk)
    survey = do_create_survey(personas.org, FULL_DEFINITION, user=personas.owner)
    do_submit_response(
        survey, answers={"nps": 3, "why": "Demasiado lento", "fix": "x"}, customer=customer
    )
    product, _created = do_save_product(personas.org, {"name": "Fibra 600", "kind": "service"})
    Subscription.objects.create(
        organization=personas.org, customer=customer, product=product, started_on=date(2026, 1, 5)
    )
    Purchase.objects.create(
        organization=personas.org, customer=customer, product=product, purchased_at=timezone.now()
    )
    page = personas.client(Role.AGENT).get(ticket.get_absolute_url()).content.decode()
    aside = page.split('id="customer-context"')[1]
    assert "Router sin conexión" in aside
    assert f"#{older.reference}" in aside
    assert "Demasiado lento" in aside
    assert "Fibra 600" in aside
    assert "business" in aside
    assert "Factura duplicada" not in aside.split("Other tickets")[1]


def test_a_call_starts_from_a_customer_search(personas, desk):
    client = personas.client(Role.AGENT)
    do_create_customer(personas.org, name="Lucas Martin", email="lucas@example.fr")
    do_create_customer(personas.other_org, name="Lucie Autre", email="lucie@other.test")
    path = reverse("support:new_conversation")
    found = client.get(path, {"q": "luc"}).content.decode()
    assert "Lucía Pérez" in found
    assert "Lucas Martin" in found
    assert "Lucie Autre" not in found
    assert f"?customer={desk.customer.code}" in found
    chosen = client.get(path, {"customer": str(desk.customer.code)}).content.decode()
    assert "Lucía Pérez" in chosen
    assert 'name="subject"' in chosen
