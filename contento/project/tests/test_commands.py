"""The project-wide commands: `setup` prepares a workspace from nothing, once."""

import pytest
from django.core.management import call_command
from django.test import Client

from contento.surveys.models import Response, Survey


@pytest.mark.django_db(transaction=True)
def test_setup_creates_the_owner_and_loads_the_demo_once(settings, tmp_path, monkeypatch, capsys):
    settings.VAR_DIR = tmp_path
    settings.STATIC_ROOT = tmp_path / "static"
    monkeypatch.setenv("CONTENTO_OWNER_PASSWORD", "a-demo-password")
    call_command("setup")
    out = capsys.readouterr().out
    assert "owner@example.com" in out
    assert "a-demo-password" in out

    surveys, responses = Survey.objects.count(), Response.objects.count()
    assert surveys == 4  # three demo surveys and the desk's rating survey
    assert responses > 300
    call_command("setup")  # a second run changes nothing
    assert (Survey.objects.count(), Response.objects.count()) == (surveys, responses)
    assert Client().login(username="owner@example.com", password="a-demo-password")
