"""Content-Security-Policy on every page, and templates that need nothing it forbids."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from contento.accounts.roles import Role

ROOT = Path(__file__).resolve().parents[2]

# What a page may not contain under `script-src 'self'; style-src 'self'`.
FORBIDDEN = {
    "inline script": re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I),
    "event handler attribute": re.compile(r"\son[a-z]+\s*=", re.I),
    "htmx hx-on (needs eval)": re.compile(r"\shx-on", re.I),
    "style attribute": re.compile(r"\sstyle\s*=", re.I),
    "style element": re.compile(r"<style[\s>]", re.I),
    "address outside the project": re.compile(r"""(src|href)=["']https?://""", re.I),
}


def _page_templates():
    for path in sorted(ROOT.glob("**/templates/**/*.html")):
        if "email" in path.parts:  # mail is read in a mail program, not under this policy
            continue
        yield path


@pytest.mark.parametrize("path", list(_page_templates()), ids=lambda p: str(p.relative_to(ROOT)))
def test_page_templates_need_nothing_the_policy_forbids(path):
    text = path.read_text()
    found = [name for name, pattern in FORBIDDEN.items() if pattern.search(text)]
    assert found == [], f"{path}: {found}"


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def test_every_kind_of_page_carries_the_policy(client, personas, live_survey):
    member = personas.client(Role.OWNER)
    pages = [
        (client, reverse("accounts:login")),
        (client, reverse("public:open", args=[live_survey.code])),
        (client, reverse("support_public:contact", args=[personas.org.code])),
        (client, "/admin/login/"),
        (client, "/api/v1/docs"),
        (member, reverse("surveys:list")),
        (member, reverse("insights:overview")),
        (member, reverse("support:queue")),
        (client, "/no-such-page/"),
    ]
    for who, url in pages:
        response = who.get(url)
        policy = _policy(response)
        assert policy["script-src"] == ["'self'"], url
        assert policy["style-src"] == ["'self'"], url
        assert policy["frame-ancestors"] == ["'none'"]
        assert policy["object-src"] == ["'none'"]
        assert "'unsafe-inline'" not in response["Content-Security-Policy"]


def test_the_api_docs_load_their_scripts_from_the_project(client):
    html = client.get("/api/v1/docs").content.decode()
    scripts = re.findall(r'<script[^>]*src="([^"]+)"', html)
    styles = re.findall(r'<link[^>]*href="([^"]+)"', html)
    assert scripts, scripts
    assert all(src.startswith("/static/") for src in scripts), scripts
    assert all(href.startswith("/static/") for href in styles), styles
    assert "cdn" not in html.lower()
    for src in scripts:
        assert client.get(src).status_code == 200, src
