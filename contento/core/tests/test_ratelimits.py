"""Rate limits count per client, also behind a reverse proxy, on every sign-in page."""

import pytest
from django.test import Client, RequestFactory

from contento.core.ratelimits import client_ip


@pytest.fixture
def limited(settings):
    settings.RATELIMIT_ENABLE = True
    settings.RATELIMIT_LOGIN = "2/m"


def _sign_in(client, path, **meta):
    return client.post(path, {"username": "x@example.net", "password": "wrong"}, **meta).status_code


@pytest.mark.parametrize(
    "path",
    [
        "/accounts/login/",
        "/accounts/password/reset/",
        "/accounts/password/reset/MQ/set-password/",
        "/accounts/login/verify/",
    ],
)
def test_every_sign_in_page_is_limited(db, limited, path):
    client = Client()
    codes = [_sign_in(client, path) for _ in range(4)]
    assert all(code != 429 for code in codes[:2])
    assert codes[2:] == [429, 429]


def test_the_admin_signs_in_through_the_limited_sign_in_page(db, limited):
    response = Client().post("/admin/login/?next=/admin/customers/", {"username": "x"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/admin/customers/"


def test_behind_a_proxy_each_visitor_has_a_bucket_of_their_own(db, limited, settings):
    settings.BEHIND_PROXY = True
    client = Client(REMOTE_ADDR="10.0.0.1")  # every request arrives from the proxy
    first = [
        _sign_in(client, "/accounts/login/", HTTP_X_FORWARDED_FOR="203.0.113.5") for _ in "abc"
    ]
    other = _sign_in(client, "/accounts/login/", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert first == [200, 200, 429]
    assert other == 200
    # A client cannot escape its bucket by writing its own X-Forwarded-For entries.
    spoofed = _sign_in(client, "/accounts/login/", HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.5")
    assert spoofed == 429


@pytest.mark.parametrize(
    ("behind", "count", "forwarded", "expected"),
    [
        (False, 1, "203.0.113.5", "10.0.0.1"),  # not behind a proxy: the header is ignored
        (True, 1, "203.0.113.5", "203.0.113.5"),
        (True, 1, "6.6.6.6, 203.0.113.5", "203.0.113.5"),
        (True, 2, "6.6.6.6, 203.0.113.5, 10.0.0.7", "203.0.113.5"),  # CDN then nginx
        (True, 2, "203.0.113.5", "10.0.0.1"),  # fewer entries than proxies: the nearest one
        (True, 1, "not-an-address", "10.0.0.1"),
        (True, 1, "", "10.0.0.1"),
        (True, 1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_the_client_address(settings, behind, count, forwarded, expected):
    settings.BEHIND_PROXY, settings.TRUSTED_PROXY_COUNT = behind, count
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected
