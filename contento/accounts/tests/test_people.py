"""People: invitations by email, password change and reset, sessions that end, two-factor
sign-in, and the audit log."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import PASSWORD
from contento.accounts import audit, twofactor
from contento.accounts.actions import (
    AccountError,
    authenticate_api_key,
    do_invite_member,
    open_invitation,
)
from contento.accounts.models import AuditEvent, Invitation, Membership, User
from contento.accounts.roles import Role

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
NEW_PASSWORD = "a fresh long password 7"


def _invite(client, email="Nina@Example.net", role="analyst"):
    return client.post(
        reverse("accounts:members"), {"action": "invite", "email": email, "role": role}
    )


def _link_path(message) -> str:
    return re.search(r"https?://[^/\s]+(/accounts/invitation/[^/\s]+/)", message.body).group(1)


def _join(path, password=NEW_PASSWORD, password2=None):
    client = Client()
    response = client.post(
        path, {"name": "Nina", "password": password, "password2": password2 or password}
    )
    return client, response


def test_an_invited_person_sets_a_password_and_joins_with_the_role(personas, settings):
    personas.org.default_language = "es"
    personas.org.save()
    _invite(personas.client(Role.OWNER))
    [message] = mail.outbox
    assert message.to == ["nina@example.net"]
    assert "Acme" in message.subject
    assert "invita" in message.subject  # the workspace's language
    client, response = _join(_link_path(message))
    assert response.status_code == 302
    membership = Membership.objects.get(user__email="nina@example.net", organization=personas.org)
    assert membership.role == Role.ANALYST
    assert client.get(reverse("insights:overview")).status_code == 200  # signed in
    assert Invitation.objects.get(email="nina@example.net").accepted_at is not None


def test_an_invitation_link_is_used_once(personas):
    _invite(personas.client(Role.OWNER))
    path = _link_path(mail.outbox[0])
    _join(path)
    replay, response = _join(path, password="another long password 9")
    assert response.status_code == 410
    assert "already been used" in response.content.decode()
    assert User.objects.filter(email="nina@example.net").count() == 1
    assert not Client().login(username="nina@example.net", password="another long password 9")


def test_a_weak_or_mistyped_password_is_refused_and_nothing_is_made(personas):
    _invite(personas.client(Role.OWNER))
    path = _link_path(mail.outbox[0])
    _client, weak = _join(path, password="nina")
    _client, mistyped = _join(path, password=NEW_PASSWORD, password2=NEW_PASSWORD + "x")
    assert "too short" in weak.content.decode()
    assert "differ" in mistyped.content.decode()
    assert not User.objects.filter(email="nina@example.net").exists()
    assert Invitation.objects.get(email="nina@example.net").is_open


def test_inviting_again_sends_the_same_invitation_with_the_new_role(personas):
    owner = personas.client(Role.OWNER)
    _invite(owner, role="analyst")
    _invite(owner, email="nina@example.net", role="agent")
    invitation = Invitation.objects.get(email="nina@example.net")
    assert invitation.role == Role.AGENT
    assert len(mail.outbox) == 2


def test_an_invitation_expires_and_can_be_withdrawn(personas):
    with time_machine.travel(T0, tick=False):
        invitation = do_invite_member(
            organization=personas.org, email="nina@example.net", role="agent", invited_by=None
        )
        _invite(personas.client(Role.OWNER), email="nina@example.net", role="agent")
        path = _link_path(mail.outbox[0])
    with time_machine.travel(T0 + timedelta(days=8), tick=False):
        expired = Client().get(path)
    assert expired.status_code == 410
    assert "expired" in expired.content.decode()
    personas.client(Role.OWNER).post(
        reverse("accounts:members"), {"action": "withdraw", "invitation": invitation.code}
    )
    with pytest.raises(AccountError, match="withdrawn"):
        open_invitation(path.split("/")[-2])
    forged = Client().get(path.replace(path.split("/")[-2][-6:], "AAAAAA"))
    assert forged.status_code == 410


def test_an_invitation_for_an_existing_user_is_accepted_by_that_user_only(personas):
    owner = personas.client(Role.OWNER)
    _invite(owner, email="oscar@other.test", role="agent")
    path = _link_path(mail.outbox[0])
    assert "sign in" in Client().get(path).content.decode().lower()
    wrong = personas.client(personas.members[Role.AGENT])
    assert "another address" in wrong.get(path).content.decode()
    wrong.post(path)
    assert not Membership.objects.filter(user=personas.outsider, organization=personas.org)
    right = personas.client(personas.outsider)
    assert right.post(path).status_code == 302
    joined = Membership.objects.get(user=personas.outsider, organization=personas.org)
    assert joined.role == Role.AGENT
    assert Membership.objects.filter(user=personas.outsider).count() == 2  # both workspaces


def test_a_member_cannot_be_invited_twice(personas):
    response = _invite(personas.client(Role.OWNER), email="alice@acme.test")
    assert response.status_code == 302
    assert not Invitation.objects.exists()
    assert not mail.outbox


def test_another_workspaces_invitation_cannot_be_withdrawn(personas):
    foreign = do_invite_member(
        organization=personas.other_org, email="x@example.net", role="agent", invited_by=None
    )
    response = personas.client(Role.OWNER).post(
        reverse("accounts:members"), {"action": "withdraw", "invitation": foreign.code}
    )
    assert response.status_code == 404
    assert Invitation.objects.get(pk=foreign.pk).is_open


def test_removing_a_member_ends_their_sessions_and_tokens(personas):
    agent = personas.members[Role.AGENT]
    key = personas.token(agent)
    session = personas.client(agent)
    assert session.get(reverse("customers:list")).status_code == 200
    membership = Membership.objects.get(user=agent)
    personas.client(Role.OWNER).post(
        reverse("accounts:members"), {"action": "remove", "member": membership.pk}
    )
    assert session.get(reverse("customers:list")).status_code == 302  # to the sign-in page
    assert authenticate_api_key(key) is None
    assert Client().login(username=agent.email, password=PASSWORD)  # may sign in again


def test_changing_the_password_keeps_this_session_and_ends_the_others(personas):
    agent = personas.members[Role.AGENT]
    here, elsewhere = personas.client(agent), personas.client(agent)
    response = here.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert here.get(reverse("customers:list")).status_code == 200
    assert elsewhere.get(reverse("customers:list")).status_code == 302


def test_a_password_reset_arrives_in_the_users_language_and_works_once(personas, settings):
    settings.SITE_URL = "https://feedback.acme.test"
    agent = personas.members[Role.AGENT]
    agent.language = "ru"
    agent.save()
    client = Client()
    client.post(reverse("accounts:password_reset"), {"email": "alice@acme.test"})
    client.post(reverse("accounts:password_reset"), {"email": "nobody@acme.test"})
    [message] = mail.outbox
    assert re.search("[а-я]", message.subject)
    link = re.search(r"https://feedback\.acme\.test(/accounts/password/reset/\S+/)", message.body)
    form = client.get(link.group(1), follow=True)
    assert form.status_code == 200
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert done.status_code == 302
    assert Client().login(username="alice@acme.test", password=NEW_PASSWORD)
    again = Client().get(link.group(1), follow=True)
    assert "expired or was used" in again.content.decode()


def _code(device, at):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = at.timestamp()
    return f"{totp.token():06d}"


def _enrol(client, user, at):
    client.post(reverse("accounts:two_factor"), {"action": "start"})
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(
        reverse("accounts:two_factor"), {"action": "confirm", "code": _code(device, at)}
    )
    codes = re.findall(r"<code>([a-z0-9]{10})</code>", response.content.decode())
    return device, codes


def _sign_in(client, user, next_url=""):
    return client.post(
        reverse("accounts:login") + (f"?next={next_url}" if next_url else ""),
        {"username": user.email, "password": PASSWORD},
    )


def test_two_factor_sign_in_needs_the_code_after_the_password(personas):
    agent = personas.members[Role.AGENT]
    with time_machine.travel(T0, tick=False):
        device, codes = _enrol(personas.client(agent), agent, T0)
    assert len(codes) == 10
    assert twofactor.has_two_factor(agent)
    later = T0 + timedelta(minutes=2)
    with time_machine.travel(later, tick=False):
        client = Client()
        response = _sign_in(client, agent, next_url="/customers/")
        assert response["Location"] == reverse("accounts:login_verify")
        assert "_auth_user_id" not in client.session  # not signed in yet
        assert client.get(reverse("customers:list")).status_code == 302
        wrong = client.post(reverse("accounts:login_verify"), {"code": "000000"})
        assert "not right" in wrong.content.decode()
    with time_machine.travel(later + timedelta(seconds=5), tick=False):
        right = client.post(reverse("accounts:login_verify"), {"code": _code(device, later)})
        assert right["Location"] == "/customers/"
        assert client.get(reverse("customers:list")).status_code == 200
        # The same code again, by someone who saw it, is refused.
        thief = Client()
        _sign_in(thief, agent)
        replay = thief.post(reverse("accounts:login_verify"), {"code": _code(device, later)})
        assert "_auth_user_id" not in thief.session
        assert replay.status_code == 200


def test_a_recovery_code_signs_in_once(personas):
    agent = personas.members[Role.AGENT]
    with time_machine.travel(T0, tick=False):
        _device, codes = _enrol(personas.client(agent), agent, T0)
    for attempt in (1, 2):
        client = Client()
        _sign_in(client, agent)
        client.post(reverse("accounts:login_verify"), {"code": codes[0].upper()})
        assert ("_auth_user_id" in client.session) is (attempt == 1)
    assert twofactor.recovery_codes_left(agent) == 9


def test_a_pending_sign_in_expires(personas):
    agent = personas.members[Role.AGENT]
    with time_machine.travel(T0, tick=False):
        device, _codes = _enrol(personas.client(agent), agent, T0)
        client = Client()
        _sign_in(client, agent)
    late = T0 + timedelta(minutes=10)
    with time_machine.travel(late, tick=False):
        response = client.post(reverse("accounts:login_verify"), {"code": _code(device, late)})
    assert response["Location"] == reverse("accounts:login")
    assert "_auth_user_id" not in client.session


def test_a_workspace_can_require_two_factor_of_every_member(personas):
    personas.org.require_two_factor = True
    personas.org.save()
    agent = personas.members[Role.AGENT]
    client = personas.client(agent)
    assert client.get(reverse("customers:list"))["Location"] == reverse("accounts:two_factor")
    with time_machine.travel(T0, tick=False):
        _enrol(client, agent, T0)
        assert client.get(reverse("customers:list")).status_code == 200
        off = client.post(reverse("accounts:two_factor"), {"action": "off", "password": PASSWORD})
    assert "requires two-factor" in off.content.decode()
    assert twofactor.has_two_factor(agent)


def test_two_factor_can_be_turned_off_with_the_password(personas):
    agent = personas.members[Role.AGENT]
    client = personas.client(agent)
    with time_machine.travel(T0, tick=False):
        _enrol(client, agent, T0)
    client.post(reverse("accounts:two_factor"), {"action": "off", "password": "wrong"})
    assert twofactor.has_two_factor(agent)
    client.post(reverse("accounts:two_factor"), {"action": "off", "password": PASSWORD})
    assert not twofactor.has_two_factor(agent)


def test_the_audit_log_records_people_changes_without_their_addresses(personas):
    owner = personas.client(Role.OWNER)
    _invite(owner)
    _join(_link_path(mail.outbox[0]))
    agent = Membership.objects.get(user=personas.members[Role.AGENT])
    owner.post(
        reverse("accounts:members"), {"action": "role", "member": agent.pk, "role": "manager"}
    )
    owner.post(reverse("accounts:tokens"), {"name": "CRM"})
    actions = list(AuditEvent.objects.values_list("action", flat=True).order_by("pk"))
    assert actions == ["member.invited", "member.joined", "member.role", "token.created"]
    role_change = AuditEvent.objects.get(action="member.role")
    assert role_change.detail == {"before": "agent", "after": "manager"}
    assert role_change.actor == personas.owner
    stored = repr(list(AuditEvent.objects.values("object_code", "object_type", "detail")))
    assert "@" not in stored


def test_owners_filter_and_export_the_audit_log(personas):
    owner = personas.client(Role.OWNER)
    owner.post(reverse("accounts:tokens"), {"name": "CRM"})
    _invite(owner)
    page = owner.get(reverse("accounts:audit"), {"action": "token.created"})
    assert page.status_code == 200
    assert "Created an API token" in page.content.decode()
    assert "Invited a member" not in page.content.decode().split("<tbody>")[1]
    export = owner.get(reverse("accounts:audit"), {"download": "csv"})
    lines = export.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "time,person,action,object_type,object_code,detail"
    assert len(lines) == 3


@pytest.mark.parametrize("role", [Role.MANAGER, Role.AGENT, Role.ANALYST])
def test_only_owners_read_the_audit_log(personas, role):
    assert personas.client(role).get(reverse("accounts:audit")).status_code == 403
    assert personas.client().get(reverse("accounts:audit")).status_code == 302


def test_another_workspaces_audit_log_is_not_shown(personas):
    audit.record(Membership.objects.get(user=personas.outsider), "token.created")
    page = personas.client(Role.OWNER).get(reverse("accounts:audit"))
    assert "Created an API token" not in page.content.decode().split("<tbody>")[1]


def test_audit_details_refuse_personal_data(personas):
    membership = Membership.objects.get(user=personas.owner)
    with pytest.raises(ValueError, match="personal data"):
        audit.record(membership, "member.invited", email="nina@example.net")
    with pytest.raises(ValueError, match="Unknown"):
        audit.record(membership, "made.up")
