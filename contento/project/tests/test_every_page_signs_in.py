"""Every page but the public ones asks a visitor to sign in: walked from the URL
configuration itself, so that a new view cannot forget it."""

import uuid

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

# Names of the pages meant for people who are not signed in (or that answer for themselves).
PUBLIC = {
    "healthz",
    "brand_css",
    "brand_logo",
    "set_language",
    "accounts:login",
    "accounts:logout",
    "accounts:login_verify",
    "accounts:password_reset",
    "accounts:password_reset_done",
    "accounts:password_reset_confirm",
    "accounts:password_reset_complete",
    "accounts:invitation",
    "unsubscribe",
}
PUBLIC_NAMESPACES = {"public", "support_public", "distribution", "distribution_public", "admin"}
FILL = {"uuid": str(uuid.uuid4()), "int": "1", "str": "x", "slug": "x", "path": "x"}


def _patterns(resolvers, prefix="", namespace=""):
    for entry in resolvers:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}:{entry.namespace}" if namespace else (entry.namespace or "")
            yield from _patterns(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace else (entry.name or "")
            yield prefix + str(entry.pattern), name, namespace


def _path(route: str) -> str:
    for kind, value in FILL.items():
        while f"<{kind}:" in route:
            start = route.index(f"<{kind}:")
            route = route[:start] + value + route[route.index(">", start) + 1 :]
    return "/" + route.lstrip("^").rstrip("$")


def test_every_staff_page_asks_a_visitor_to_sign_in(db):
    checked = []
    for route, name, namespace in _patterns(get_resolver().url_patterns):
        top = namespace.split(":")[0]
        if name in PUBLIC or top in PUBLIC_NAMESPACES or route.startswith("api/"):
            continue
        path = _path(route)
        if "<" in path or "(" in path:
            continue  # a pattern of the static-file server, not a page
        for method in ("get", "post"):
            response = getattr(Client(), method)(path)
            assert response.status_code in {302, 401, 403, 404, 405}, (method, path, name)
            if response.status_code == 302:
                assert response["Location"].startswith("/accounts/login/"), (path, name)
        checked.append(path)
    assert len(checked) > 60  # the walk reached the apps' pages
