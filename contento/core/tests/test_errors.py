"""A database outage answers 503 with Retry-After, in the visitor's language, never 500."""

from unittest import mock

from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client
from django.urls import reverse


def _client():
    return Client(raise_request_exception=False)


def test_pages_answer_503_in_the_visitors_language(personas, live_survey):
    public = reverse("public:open", args=[live_survey.code])
    contact = reverse("support_public:contact", args=[personas.org.code])
    token = personas.token("owner")
    signed_in = personas.client("owner")
    signed_in.raise_request_exception = False
    with mock.patch.object(
        BaseDatabaseWrapper, "ensure_connection", side_effect=OperationalError("refused")
    ):
        from django.db import connections

        connections.close_all()
        for client, url, language in (
            (_client(), public, "es"),
            (_client(), contact, "fr"),
            (signed_in, reverse("surveys:list"), "ru"),
        ):
            reply = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
            assert reply.status_code == 503, (url, reply.status_code)
            assert reply["Retry-After"] == "30"
            assert f'<html lang="{language}">' in reply.content.decode()
        sign_in = _client().post(
            "/accounts/login/", {"username": "a@b.co", "password": "x"}, HTTP_ACCEPT_LANGUAGE="vi"
        )
        assert sign_in.status_code == 503
        assert '<html lang="vi">' in sign_in.content.decode()
        api = _client().get("/api/v1/customers", HTTP_AUTHORIZATION=f"Bearer {token}")
        assert api.status_code == 503
        assert api["Retry-After"] == "30"
        assert "try again" in api.json()["detail"]
