"""Settings helpers, charts, health check and the commands that run the product."""

import pytest
from django.test import Client

from contento.core.charts import column_chart
from contento.core.startup import start_up_warnings
from contento.env import env_bool, env_int, env_list


def test_env_helpers(monkeypatch):
    monkeypatch.setenv("X_BOOL", "yes")
    monkeypatch.setenv("X_INT", "42")
    monkeypatch.setenv("X_LIST", " a, b ,,c ")
    assert env_bool("X_BOOL") is True
    assert env_bool("X_UNSET", True) is True
    assert env_int("X_INT", 1) == 42
    assert env_list("X_LIST") == ["a", "b", "c"]
    monkeypatch.setenv("X_BOOL", "maybe")
    with pytest.raises(ValueError, match="not a boolean"):
        env_bool("X_BOOL")
    monkeypatch.setenv("X_INT", "lots")
    with pytest.raises(ValueError, match="not an integer"):
        env_int("X_INT", 1)


def test_debug_is_off_unless_asked(settings):
    assert settings.DEBUG is False


def test_chart_escapes_labels_and_describes_its_data():
    svg = str(column_chart([("<script>", 3), ("b", 1)], title='Say "hi"'))
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    assert "<title>Say &quot;hi&quot;</title>" in svg
    assert "&lt;script&gt;: 3" in svg


def test_healthz(db):
    reply = Client().get("/healthz")
    assert reply.status_code == 200
    assert (reply.json()["status"], reply.json()["database"]) == ("ok", "ok")


def test_static_files_come_from_the_app_not_a_cdn(db):
    page = Client().get("/accounts/login/").content.decode()
    assert "/static/contento/app" in page
    assert "//cdn" not in page
    assert "https://" not in page


def test_mail_to_the_log_is_warned_about_in_production(settings):

    settings.DEBUG = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    [warning] = start_up_warnings()
    assert "EMAIL_BACKEND" in warning
    assert "personal links" in warning
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    assert start_up_warnings() == []
    settings.DEBUG, settings.EMAIL_BACKEND = True, "django.core.mail.backends.console.EmailBackend"
    assert start_up_warnings() == []
