"""Fixtures of the support desk: a team with two agents and a manager, and a customer."""

import pytest

from contento.accounts.actions import do_add_member, do_create_user
from contento.accounts.roles import Role
from contento.customers.actions import do_create_customer
from contento.support.models import Team


@pytest.fixture
def desk(personas):
    org = personas.org
    bob = do_create_user(email="bob@acme.test", password="correct-horse-battery", name="Bob")
    do_add_member(organization=org, user=bob, role=Role.AGENT)
    members = {m.user.email: m for m in org.memberships.select_related("user")}
    team = Team.objects.create(
        organization=org,
        name="Support",
        email_address="help@acme.test",
        manager=members["mark@acme.test"],
    )
    team.members.set([members["alice@acme.test"], members["bob@acme.test"]])
    customer = do_create_customer(org, name="Lucía Pérez", email="lucia@example.net", language="es")

    class Desk:
        pass

    d = Desk()
    d.org, d.team, d.customer = org, team, customer
    d.alice, d.bob = members["alice@acme.test"], members["bob@acme.test"]
    d.manager, d.owner = members["mark@acme.test"], members["olivia@acme.test"]
    d.analyst = members["ann@acme.test"]
    return d
