"""Customers' links to their ticket and rating expire, can be revoked, and never reach a log."""

import datetime as dt
import io
import logging

import time_machine
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from gunicorn.config import Config

from contento.accounts.roles import Role
from contento.logs import AccessLogger, JsonFormatter, redact
from contento.support import ratings
from contento.support.access import _CUSTOMER_SALT, customer_ticket_token
from contento.support.actions.tickets import do_create_ticket
from contento.surveys.links import make_token


def _ticket(desk):
    return do_create_ticket(
        desk.org, customer=desk.customer, subject="Router", body="No va", channel="web"
    )


def _url(ticket):
    return reverse("support_public:ticket", args=[customer_ticket_token(ticket)])


def test_a_customer_link_expires_after_its_lifetime(desk, settings):
    settings.CUSTOMER_LINK_MAX_AGE_DAYS = 30
    ticket = _ticket(desk)
    url = _url(ticket)
    assert Client().get(url).status_code == 200
    with time_machine.travel(timezone.now() + dt.timedelta(days=31)):
        expired = Client().get(url, HTTP_ACCEPT_LANGUAGE="es")
        assert expired.status_code == 410
        page = expired.content.decode()
        assert "Router" not in page
        assert "No va" not in page
        assert reverse("support_public:contact", args=[desk.org.code]) in page
        # A fresh link (as the next email carries) works again.
        ticket.refresh_from_db()
        assert Client().get(_url(ticket)).status_code == 200


def test_revoking_voids_every_link_of_the_ticket(personas, desk):
    ticket = _ticket(desk)
    old_ticket_url = _url(ticket)
    rating = ratings.schedule(ticket)
    old_rating_url = reverse("support_public:rate", args=[ratings.rating_token(rating)])
    assert Client().get(old_rating_url).status_code == 200
    agent = personas.client(Role.AGENT)
    revoked = agent.post(reverse("support:revoke_links", args=[ticket.code]))
    assert revoked.status_code == 302
    ticket.refresh_from_db()
    assert ticket.link_version == 1
    assert ticket.events.filter(kind="links_revoked").count() == 1
    client = Client()
    assert client.get(old_ticket_url).status_code == 410
    assert client.post(old_ticket_url, {"body": "hola"}).status_code == 410
    assert client.get(old_rating_url).status_code == 410
    assert client.post(old_rating_url, {"score": "1"}).status_code == 410
    rating.refresh_from_db()
    assert rating.score is None
    assert ticket.messages.count() == 1
    assert client.get(_url(ticket)).status_code == 200  # the new link works


def test_revoking_is_for_the_desk_only(personas, desk):
    ticket = _ticket(desk)
    url = reverse("support:revoke_links", args=[ticket.code])
    assert Client().post(url).status_code == 302  # to the sign-in page
    assert personas.client(Role.ANALYST).post(url).status_code == 403
    assert personas.client(personas.outsider).post(url).status_code in (403, 404)
    ticket.refresh_from_db()
    assert ticket.link_version == 0


def test_forged_and_foreign_tokens_are_not_found(desk):
    ticket = _ticket(desk)
    forged = signing.dumps([str(ticket.code), 0], salt="another-salt", compress=True)
    garbage = signing.dumps(["not-a-uuid", 0], salt=_CUSTOMER_SALT, compress=True)
    for token in (forged, garbage, "x" * 40):
        url = reverse("support_public:ticket", args=[token])
        assert Client().get(url).status_code == 404, token


def test_links_made_before_versions_still_open_within_their_lifetime(desk):
    ticket = _ticket(desk)
    legacy = signing.dumps(str(ticket.code), salt=_CUSTOMER_SALT, compress=True)
    assert Client().get(reverse("support_public:ticket", args=[legacy])).status_code == 200


def test_tokens_are_redacted_in_every_log_line(desk, live_survey):
    ticket = _ticket(desk)
    rating = ratings.schedule(ticket)
    tokens = [
        customer_ticket_token(ticket),
        ratings.rating_token(rating),
        make_token(live_survey, desk.customer),
    ]
    for token in tokens:
        assert token not in redact(f"GET /x/{token}/?lang=es HTTP/1.1")
        assert token not in redact(f"/x/{token.replace(':', '%3A')}/")
    # Django's own "Not Found: <path>" warnings go through the same formatter.
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        Client().get(f"/help/t/{tokens[0]}x/")
    finally:
        logger.removeHandler(handler)
    assert "Not Found" in stream.getvalue()
    assert tokens[0] not in stream.getvalue()
    # The web server's access log: request line, path, query and referrer.
    access = AccessLogger(Config())
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/help/t/{tokens[0]}/",
        "PATH_INFO": f"/help/t/{tokens[0]}/",
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_REFERER": f"http://testserver/s/x/p/{tokens[2]}/",
    }

    class Response:
        status, sent, headers = "200 OK", 10, []

    class Request:
        headers = [("REFERER", environ["HTTP_REFERER"])]

    atoms = access.atoms(Response(), Request(), environ, dt.timedelta(milliseconds=5))
    assert not any(token in str(value) for value in atoms.values() for token in tokens)
    assert "[redacted]" in atoms["r"]
    assert "[redacted]" in atoms["f"]
