"""Several workspaces per installation: create, switch, delete with a typed confirmation."""

from django.urls import reverse

from contento.accounts.actions import do_add_member, do_create_organization
from contento.accounts.models import Membership, Organization
from contento.accounts.roles import Role
from contento.customers.actions import do_create_customer

URL = reverse("accounts:workspaces")


def test_an_owner_creates_a_workspace_and_works_in_it(personas):
    client = personas.client(Role.OWNER)
    response = client.post(URL, {"action": "create", "name": "Acme Outlet"})
    assert response.status_code == 302
    outlet = Organization.objects.get(name="Acme Outlet")
    assert Membership.objects.get(organization=outlet, user=personas.owner).role == Role.OWNER
    page = client.get(reverse("accounts:workspace")).content.decode()
    assert 'value="Acme Outlet"' in page  # the new workspace is the current one


def test_one_person_has_different_roles_in_different_workspaces(personas):
    shop = do_create_organization(name="Shop", owner=personas.outsider)
    do_add_member(organization=shop, user=personas.members[Role.AGENT], role=Role.MANAGER)
    client = personas.client(Role.AGENT)
    body = client.get(URL).content.decode()
    assert "Acme" in body
    assert "Shop" in body
    assert client.get(reverse("support:settings")).status_code == 403  # an agent in Acme
    client.post(reverse("accounts:switch", args=[shop.code]))
    assert client.get(reverse("support:settings")).status_code == 200  # a manager in Shop


def test_a_member_who_owns_nothing_cannot_create_workspaces(personas):
    client = personas.client(Role.MANAGER)
    assert 'name="name"' not in client.get(URL).content.decode()
    assert client.post(URL, {"action": "create", "name": "Mine"}).status_code == 403
    assert not Organization.objects.filter(name="Mine").exists()


def test_a_workspace_is_deleted_only_after_typing_its_name(personas):
    do_create_customer(personas.org, name="Lu", email="lu@example.test")
    client = personas.client(Role.OWNER)
    form = {"action": "delete", "workspace": str(personas.org.code)}
    client.post(URL, {**form, "confirm": "acme"})
    assert Organization.objects.filter(pk=personas.org.pk).exists()
    client.post(URL, {**form, "confirm": "Acme"})
    assert not Organization.objects.filter(pk=personas.org.pk).exists()
    assert Organization.objects.filter(pk=personas.other_org.pk).exists()
    assert client.get(reverse("home")).status_code == 200  # no workspace left: a plain page


def test_only_an_owner_deletes_and_only_their_own_workspace(personas):
    manager = personas.client(Role.MANAGER)
    form = {"action": "delete", "workspace": str(personas.org.code), "confirm": "Acme"}
    assert manager.post(URL, form).status_code == 404
    outsider = personas.client(personas.outsider)
    assert outsider.post(URL, form).status_code == 404
    assert Organization.objects.filter(pk=personas.org.pk).exists()


def test_signed_out_visitors_are_sent_to_sign_in(personas):
    response = personas.client().get(URL)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
