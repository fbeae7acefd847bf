"""The project-wide commands: `setup` prepares the business's workspace from nothing, once,
with the demo in a workspace of its own."""

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client

from contento.accounts.models import Organization
from contento.surveys.models import Response, Survey


@pytest.fixture
def fresh(settings, tmp_path, monkeypatch):
    settings.VAR_DIR = tmp_path
    settings.STATIC_ROOT = tmp_path / "static"
    monkeypatch.setenv("CONTENTO_OWNER_PASSWORD", "a-demo-password")
    monkeypatch.delenv("CONTENTO_BUSINESS_NAME", raising=False)


@pytest.mark.django_db(transaction=True)
def test_setup_creates_the_owner_and_loads_the_demo_once(fresh, capsys):
    call_command("setup", business_name="Bakery Ana")
    out = capsys.readouterr().out
    assert "owner@example.com" in out
    assert "a-demo-password" in out

    surveys, responses = Survey.objects.count(), Response.objects.count()
    assert surveys == 4  # three demo surveys and the desk's rating survey
    assert responses > 300
    call_command("setup")  # a second run changes nothing
    assert (Survey.objects.count(), Response.objects.count()) == (surveys, responses)
    assert Client().login(username="owner@example.com", password="a-demo-password")


@pytest.mark.django_db(transaction=True)
def test_the_business_gets_its_own_workspace_and_the_demo_another(fresh):
    call_command("setup", business_name="Bakery Ana")
    own = Organization.objects.get(is_demo=False)
    demo = Organization.objects.get(is_demo=True)
    assert own.name == "Bakery Ana"
    assert not own.surveys.exists()  # nothing invented in the business's own workspace
    assert demo.surveys.exists()
    owners = {m.user.email for m in demo.memberships.filter(role="owner")}
    assert owners == {"owner@example.com"}


@pytest.mark.django_db(transaction=True)
def test_without_a_name_or_a_terminal_the_workspace_has_a_plain_name(fresh):
    call_command("setup", no_demo=True)
    assert list(Organization.objects.values_list("name", "is_demo")) == [("My business", False)]


@pytest.mark.django_db(transaction=True)
def test_the_name_can_come_from_the_environment(fresh, monkeypatch):
    monkeypatch.setenv("CONTENTO_BUSINESS_NAME", "Warung Sari")
    call_command("setup", no_demo=True)
    assert Organization.objects.get().name == "Warung Sari"


@pytest.mark.django_db(transaction=True)
def test_loading_the_demo_sends_no_mail(fresh, settings):
    call_command("setup", business_name="Bakery Ana")
    assert Organization.objects.get(is_demo=True).tickets.exists()
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_the_demo_can_be_removed_and_the_business_stays(fresh, capsys):
    call_command("setup", business_name="Bakery Ana")
    call_command("demo", remove=True)
    assert "Removed 1 demo workspace(s)." in capsys.readouterr().out
    assert list(Organization.objects.values_list("name", flat=True)) == ["Bakery Ana"]
    assert not Survey.objects.exists()
    assert not Response.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_first_password_is_forgotten_once_the_owner_signed_in(fresh, settings, capsys):
    call_command("setup", no_demo=True)
    login_file = settings.VAR_DIR / "owner-login.txt"
    assert login_file.exists()
    call_command("setup")
    assert "a-demo-password" in capsys.readouterr().out  # not signed in yet: shown again

    assert Client().login(username="owner@example.com", password="a-demo-password")
    call_command("setup")
    assert "a-demo-password" not in capsys.readouterr().out
    assert not login_file.exists()
