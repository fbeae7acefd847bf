"""The web widget on a plain page of another site, under a strict Content-Security-Policy:
a visitor opens it, starts a chat, and reads the agent's answer within a second; no cookie is
set and nothing is blocked on either side."""

import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest

from conftest import PASSWORD
from contento.accounts.actions import do_replace_widget_secret
from contento.support.models import Ticket
from contento.surveys.models import Response

pytestmark = [pytest.mark.browser]


def _serve(page_html: str, policy: str):
    class Site(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the name http.server calls
            body = page_html.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Security-Policy", policy)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Site)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def test_a_visitor_chats_from_the_widget_on_another_site(
    transactional_db, live_server, personas, browser, page
):
    org = personas.org
    contento = live_server.url
    snippet = (
        f'<script src="{contento}/static/contento/widget.js" data-workspace="{org.code}" '
        f"defer></script>"
    )
    site = _serve(
        f"<!doctype html><html lang='es'><head><title>Tienda</title></head>"
        f"<body><h1>Tienda Lumière</h1>{snippet}</body></html>",
        f"default-src 'none'; script-src {contento}; frame-src {contento}; style-src 'none'",
    )
    try:
        visitor_context = browser.new_context(
            locale="es-ES", viewport={"width": 390, "height": 844}
        )
        visitor = visitor_context.new_page()
        visitor.set_default_timeout(15_000)
        blocked = []
        visitor.on(
            "console",
            lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None,
        )
        visitor.goto(f"http://127.0.0.1:{site.server_address[1]}/")
        visitor.locator("#contento-widget-button").click()
        frame = visitor.frame_locator("#contento-widget-frame")
        frame.get_by_role("link", name="Chatee con nosotros").click()
        frame.locator("#id_name").fill("Ana")
        frame.locator("#id_email").fill("ana@example.net")
        frame.locator("#id_body").fill("¿Mi pedido ya salió?")
        frame.locator("main form button[type=submit]").click()
        frame.locator("#conversation").get_by_text("¿Mi pedido ya salió?").wait_for()
        chat = Ticket.objects.get()
        assert (chat.channel, chat.language) == ("chat", "es")

        page.goto(f"{contento}/accounts/login/")
        page.get_by_label("Email address").fill("alice@acme.test")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.goto(f"{contento}{chat.get_absolute_url()}")
        page.locator("#id_body").fill("Sí, salió esta mañana.")
        page.get_by_role("button", name="Send reply").click()
        page.get_by_text("Reply sent.").wait_for()
        sent = time.monotonic()
        frame.locator("#conversation").get_by_text("Sí, salió esta mañana.").wait_for(timeout=1000)
        assert time.monotonic() - sent < 1.0

        # The visitor answers from inside the frame, with no cookie to carry a token.
        frame.locator("textarea[name=body]").fill("¡Gracias!")
        frame.locator("form button[type=submit]").click()
        page.locator("#conversation").get_by_text("¡Gracias!").wait_for(timeout=1500)
        assert visitor_context.cookies() == []
        assert blocked == []
        assert re.search(r"/help/w/t/", frame.locator("form").first.get_attribute("hx-post") or "")
        visitor_context.close()
    finally:
        site.shutdown()


def test_a_visitor_the_site_signed_in_answers_a_survey_and_writes_as_themselves(
    transactional_db, live_server, personas, browser, live_survey
):
    org = personas.org
    secret = do_replace_widget_secret(org)
    token = jwt.encode(
        {"sub": "shop-7", "email": "ana@example.net", "name": "Ana", "exp": time.time() + 600},
        secret,
        algorithm="HS256",
    )
    contento = live_server.url
    snippet = (
        f'<script src="{contento}/static/contento/widget.js" data-workspace="{org.code}" '
        f'data-survey="{live_survey.code}" data-visitor="{token}" data-lang="en" defer></script>'
    )
    site = _serve(
        f"<!doctype html><html lang='en'><head><title>Shop</title></head>"
        f"<body><h1>Shop</h1>{snippet}</body></html>",
        f"default-src 'none'; script-src {contento}; frame-src {contento}; style-src 'none'",
    )
    try:
        context = browser.new_context(viewport={"width": 390, "height": 844})
        visitor = context.new_page()
        visitor.set_default_timeout(15_000)
        visitor.goto(f"http://127.0.0.1:{site.server_address[1]}/")
        visitor.locator("#contento-widget-button").click()
        frame = visitor.frame_locator("#contento-widget-frame")
        frame.get_by_role("link", name="Tell us what you think").click()
        frame.locator("#field-nps label", has_text=re.compile(r"^9$")).click()
        frame.get_by_role("button", name="Next").click()
        # Page 2 follows page 1 inside the frame, though no cookie remembers the response.
        frame.get_by_role("button", name="Submit").click()
        frame.get_by_text("Thanks!").wait_for()
        response = Response.objects.get(survey=live_survey)
        assert response.status == Response.Status.COMPLETE
        assert (response.customer.external_id, response.customer.email) == (
            "shop-7",
            "ana@example.net",
        )

        visitor.locator("#contento-widget-button").click()  # close
        visitor.locator("#contento-widget-button").click()  # and open again
        frame.get_by_role("link", name="Write to us").click()
        frame.get_by_text("Writing as Ana (ana@example.net).").wait_for()
        assert frame.locator("#id_email").count() == 0
        frame.locator("#id_subject").fill("My order")
        frame.locator("#id_body").fill("Where is it?")
        frame.locator("main form button[type=submit]").click()
        frame.locator("#conversation").get_by_text("Where is it?").wait_for()
        assert Ticket.objects.get().customer == response.customer
        assert context.cookies() == []
        context.close()
    finally:
        site.shutdown()
