"""Sign-in, workspaces, members and API tokens."""

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD
from contento.accounts.actions import (
    AccountError,
    authenticate_api_key,
    do_add_member,
    do_create_user,
    do_remove_member,
)
from contento.accounts.models import ApiToken, Invitation, Membership, hash_token
from contento.accounts.roles import PERMISSIONS, Role


def test_sign_in_with_email_and_password(personas):
    client = Client()
    reply = client.post(
        reverse("accounts:login"), {"username": "olivia@acme.test", "password": PASSWORD}
    )
    assert reply.status_code == 302
    assert client.get("/", follow=True).redirect_chain[-1][0] == reverse("surveys:list")
    wrong = Client().post(
        reverse("accounts:login"), {"username": "olivia@acme.test", "password": "nope"}
    )
    assert "didn" in wrong.content.decode()
    assert "_auth_user_id" not in Client().session


def test_sign_in_is_rate_limited(personas, settings):
    settings.RATELIMIT_ENABLE = True
    settings.RATELIMIT_LOGIN = "2/m"
    client = Client()
    codes = [
        client.post(reverse("accounts:login"), {"username": "x@y.z", "password": "bad"}).status_code
        for _ in range(4)
    ]
    assert codes == [200, 200, 429, 429]


def test_agent_lands_on_customers(personas):
    assert personas.client(Role.AGENT).get("/")["Location"] == reverse("customers:list")


def test_user_without_workspace_is_told_so(db):

    user = do_create_user(email="lonely@x.test", password=PASSWORD)
    client = Client()
    client.force_login(user)
    assert "No workspace yet" in client.get("/").content.decode()


def test_permissions_table_is_what_the_roles_promise():
    assert PERMISSIONS["members.manage"] == {Role.OWNER}
    assert Role.ANALYST in PERMISSIONS["survey.view"]
    assert Role.ANALYST not in PERMISSIONS["survey.edit"]
    assert Role.AGENT in PERMISSIONS["response.submit"]
    assert Role.AGENT not in PERMISSIONS["survey.view"]


@pytest.mark.parametrize("role", [Role.MANAGER, Role.AGENT, Role.ANALYST])
def test_only_owners_manage_members(personas, role):
    client = personas.client(role)
    assert client.get(reverse("accounts:members")).status_code == 403
    client.post(
        reverse("accounts:members"),
        {"action": "invite", "email": "new@acme.test", "role": "owner"},
    )
    assert not Invitation.objects.filter(email="new@acme.test").exists()


def test_owner_changes_and_removes_members(personas):
    client = personas.client(Role.OWNER)
    agent = Membership.objects.get(user=personas.members[Role.AGENT])
    client.post(
        reverse("accounts:members"), {"action": "role", "member": agent.pk, "role": "manager"}
    )
    agent.refresh_from_db()
    assert agent.role == "manager"
    client.post(reverse("accounts:members"), {"action": "remove", "member": agent.pk})
    assert not Membership.objects.filter(pk=agent.pk).exists()


def test_owner_cannot_touch_another_workspaces_members(personas):
    foreign = Membership.objects.get(user=personas.outsider)
    client = personas.client(Role.OWNER)
    assert (
        client.post(
            reverse("accounts:members"), {"action": "remove", "member": foreign.pk}
        ).status_code
        == 404
    )
    assert Membership.objects.filter(pk=foreign.pk).exists()


def test_last_owner_stays(personas):
    owner = Membership.objects.get(user=personas.owner)
    with pytest.raises(AccountError, match="at least one owner"):
        do_remove_member(owner)
    with pytest.raises(AccountError, match="at least one owner"):
        do_add_member(organization=personas.org, user=personas.owner, role=Role.AGENT)


def test_tokens_are_created_shown_once_and_stored_hashed(personas):
    client = personas.client(Role.ANALYST)
    page = client.post(reverse("accounts:tokens"), {"name": "BI tool"}).content.decode()
    token = ApiToken.objects.get()
    key = page.split('<code id="new-token">')[1].split("</code>")[0]
    assert key.startswith("cto_")
    assert token.key_hash == hash_token(key)
    assert key not in token.key_hash
    assert key not in client.get(reverse("accounts:tokens")).content.decode()
    assert authenticate_api_key(key).membership.user == personas.members[Role.ANALYST]


def test_members_cannot_revoke_others_tokens(personas):
    personas.token(Role.OWNER)
    token = ApiToken.objects.get()
    reply = personas.client(Role.MANAGER).post(
        reverse("accounts:tokens"), {"action": "revoke", "token": token.code}
    )
    assert reply.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_tokens_page_needs_sign_in(db):
    assert (
        Client().get(reverse("accounts:tokens"))["Location"].startswith(reverse("accounts:login"))
    )


def test_createtoken_command(personas, capsys):
    call_command("createtoken", "mark@acme.test", "--name", "integration")
    key = capsys.readouterr().out.strip()
    token = authenticate_api_key(key)
    assert token.name == "integration"
    assert token.membership.role == Role.MANAGER
    with pytest.raises(CommandError, match="not a member"):
        call_command("createtoken", "nobody@acme.test")


def test_switch_workspace(personas):
    do_add_member(organization=personas.other_org, user=personas.owner, role=Role.ANALYST)
    client = personas.client(Role.OWNER)
    client.post(reverse("accounts:switch", args=[personas.other_org.code]))
    assert "Other · Analyst" in client.get(reverse("surveys:list")).content.decode()
    stranger = Client()
    stranger.force_login(personas.members[Role.AGENT])
    assert (
        stranger.post(reverse("accounts:switch", args=[personas.other_org.code])).status_code == 404
    )
