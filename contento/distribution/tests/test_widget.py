"""The widget's pages may be framed by any site and need no cookie; the help centre's own
pages stay unframeable and CSRF-protected."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from contento.accounts.actions import do_update_workspace
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
