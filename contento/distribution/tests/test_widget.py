"""The widget's pages may be framed by any site and need no cookie; the help centre's own
pages stay unframeable and CSRF-protected."""

import time

import jwt
import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from contento.accounts.actions import do_replace_widget_secret, do_update_workspace
from contento.accounts.models import AuditEvent, Organization
from contento.accounts.roles import Role
from contento.customers.models import Customer
from contento.support.models import Ticket
from contento.surveys.models import Response


def _policy(response) -> str:
    return response["Content-Security-Policy"]


def test_the_widget_page_is_framed_by_any_site_in_the_visitors_language(personas, live_survey):
    path = reverse("distribution:widget", args=[personas.org.code])
    page = Client().get(path, {"lang": "vi", "survey": str(live_survey.code)})
    assert "frame-ancestors *" in _policy(page)
    assert "X-Frame-Options" not in page
    assert page["Content-Language"] == "vi"
    assert reverse("public:widget", args=[live_survey.code]) in page.content.decode()
    assert not page.cookies
    # A survey of another workspace, or one not live, is not offered.
    other = Client().get(path, {"survey": "not-a-code"})
    assert "/s/w/" not in other.content.decode()


def test_a_chat_starts_from_the_widget_without_a_csrf_cookie(personas):
    client = Client(enforce_csrf_checks=True)
    path = reverse("support_public:widget_chat", args=[personas.org.code])
    form = client.get(path)
    assert not form.cookies
    started = client.post(
        path,
        {"name": "Ana", "email": "ana@example.net", "body": "¿Hola?", "language": "es"},
    )
    assert started.status_code == 302
    assert "/help/w/t/" in started["Location"]
    assert Ticket.objects.get().channel == "chat"


def test_the_help_centre_itself_still_needs_csrf_and_refuses_frames(personas):
    client = Client(enforce_csrf_checks=True)
    path = reverse("support_public:chat", args=[personas.org.code])
    assert "frame-ancestors 'none'" in _policy(client.get(path))
    refused = client.post(path, {"name": "Ana", "email": "ana@example.net", "body": "x"})
    assert refused.status_code == 403
    assert not Ticket.objects.exists()


def test_a_survey_in_the_widget_is_answered_without_cookies(live_survey):
    client = Client(enforce_csrf_checks=True)
    path = reverse("public:widget", args=[live_survey.code])
    page = client.get(path)
    assert not page.cookies
    assert "frame-ancestors *" in _policy(page)
    html = page.content.decode()
    rt = html.split('name="rt" value="')[1].split('"')[0]
    saved = client.post(path, {"rt": rt, "page": "1", "lang": "en", "q-nps": "9"})
    assert saved.status_code == 302
    assert not saved.cookies
    assert Response.objects.get(survey=live_survey).page == 2


def test_a_workspace_names_the_sites_that_may_show_its_widget(personas, live_survey):
    do_update_workspace(
        personas.org, {"widget_origins": ["https://shop.example.com/", "http://localhost:8080"]}
    )
    pages = [
        reverse("distribution:widget", args=[personas.org.code]),
        reverse("support_public:widget_chat", args=[personas.org.code]),
        reverse("public:widget", args=[live_survey.code]),
    ]
    for path in pages:
        policy = _policy(Client().get(path))
        assert "frame-ancestors https://shop.example.com http://localhost:8080" in policy, path
    # Another workspace's widget is still shown by any site.
    other = Client().get(reverse("distribution:widget", args=[personas.other_org.code]))
    assert "frame-ancestors *" in _policy(other)


def test_a_site_that_is_not_an_origin_is_refused(personas):
    with pytest.raises(ValidationError, match="not a site's address"):
        do_update_workspace(personas.org, {"widget_origins": ["shop.example.com/page"]})


# Visitors the business's site identifies with a signed token.


def _visitor_token(secret, **claims):
    claims = {"sub": "site-42", "exp": int(time.time()) + 3600, **claims}
    return jwt.encode(claims, secret, algorithm="HS256")


def test_a_visitor_the_site_names_writes_without_giving_a_name_or_address(personas):
    secret = do_replace_widget_secret(personas.org)
    token = _visitor_token(secret, email="ana@example.net", name="Ana")
    client = Client(enforce_csrf_checks=True)
    widget = client.get(
        reverse("distribution:widget", args=[personas.org.code]), {"visitor": token}
    )
    assert f"visitor={token}" in widget.content.decode()

    path = reverse("support_public:widget_contact", args=[personas.org.code])
    form = client.get(path, {"visitor": token}).content.decode()
    assert 'name="email"' not in form and 'name="name"' not in form
    assert "Writing as Ana (ana@example.net)" in form
    assert not Customer.objects.exists()  # a page that is only read makes nobody
    sent = client.post(
        path,
        {"visitor": token, "subject": "Invoice", "body": "Where is it?", "language": "en"},
    )
    assert sent.status_code == 302
    ticket = Ticket.objects.get()
    assert (ticket.customer.email, ticket.customer.external_id) == ("ana@example.net", "site-42")

    # The same visitor chats as the same customer, even giving a typed address is impossible.
    chat = reverse("support_public:widget_chat", args=[personas.org.code])
    started = client.post(
        chat,
        {"visitor": token, "body": "Hi", "language": "en", "email": "mallory@example.net"},
    )
    assert started.status_code == 302
    assert Customer.objects.count() == 1
    assert Ticket.objects.filter(customer=ticket.customer).count() == 2


def test_a_token_that_fails_leaves_the_visitor_anonymous_and_loses_nothing(personas):
    do_replace_widget_secret(personas.org)
    forged = _visitor_token("a-secret-the-site-does-not-have-0123", email="ceo@example.net")
    client = Client(enforce_csrf_checks=True)
    widget = client.get(
        reverse("distribution:widget", args=[personas.org.code]), {"visitor": forged}
    )
    assert "visitor=" not in widget.content.decode()
    path = reverse("support_public:widget_chat", args=[personas.org.code])
    refused = client.post(path, {"visitor": forged, "body": "My words", "language": "en"})
    assert refused.status_code == 200
    page = refused.content.decode()
    assert "We could not confirm who you are" in page
    assert 'name="email"' in page and "My words" in page
    assert not Ticket.objects.exists() and not Customer.objects.exists()
    # Outside the widget the token means nothing: the help centre asks everyone.
    help_page = Client().get(
        reverse("support_public:chat", args=[personas.org.code]), {"visitor": forged}
    )
    assert 'name="email"' in help_page.content.decode()


def test_a_multi_page_survey_in_the_widget_goes_on_to_its_next_page(live_survey):
    client = Client(enforce_csrf_checks=True)
    path = reverse("public:widget", args=[live_survey.code])
    page = client.get(path).content.decode()
    rt = page.split('name="rt" value="')[1].split('"')[0]
    saved = client.post(path, {"rt": rt, "page": "1", "lang": "en", "q-nps": "9"}, follow=True)
    html = saved.content.decode()
    assert 'name="page" value="2"' in html
    assert 'name="q-csat"' in html
    assert Response.objects.get(survey=live_survey).page == 2
    assert not client.cookies


def test_an_identified_visitors_answers_are_theirs(personas, live_survey):
    secret = do_replace_widget_secret(personas.org)
    token = _visitor_token(secret, email="ana@example.net", name="Ana")
    client = Client(enforce_csrf_checks=True)
    path = reverse("public:widget", args=[live_survey.code])
    page = client.get(path, {"visitor": token}).content.decode()
    assert f'name="visitor" value="{token}"' in page
    rt = page.split('name="rt" value="')[1].split('"')[0]
    saved = client.post(
        path, {"rt": rt, "page": "1", "lang": "en", "q-nps": "3", "visitor": token}, follow=True
    )
    assert f'name="visitor" value="{token}"' in saved.content.decode()
    response = Response.objects.get(survey=live_survey)
    assert (response.customer.email, response.customer.external_id) == (
        "ana@example.net",
        "site-42",
    )


def test_only_an_owner_replaces_the_widget_secret(personas):
    path = reverse("accounts:widget_secret")
    for member in (personas.members[Role.MANAGER], personas.members[Role.AGENT]):
        client = Client()
        client.force_login(member)
        assert client.post(path).status_code == 403, member
    # An outsider can only ever replace their own workspace's secret.
    outsider = Client()
    outsider.force_login(personas.outsider)
    outsider.post(path)
    assert Organization.objects.get(pk=personas.other_org.pk).widget_secret != ""
    assert Organization.objects.get(pk=personas.org.pk).widget_secret == ""
    owner = Client()
    owner.force_login(personas.owner)
    owner.post(path)
    secret = Organization.objects.get(pk=personas.org.pk).widget_secret
    assert len(secret) >= 32
    assert secret in owner.get(reverse("accounts:workspace")).content.decode()
    events = AuditEvent.objects.filter(action="workspace.widget_secret", organization=personas.org)
    assert events.count() == 1
    owner.post(path, {"action": "remove"})
    assert Organization.objects.get(pk=personas.org.pk).widget_secret == ""
