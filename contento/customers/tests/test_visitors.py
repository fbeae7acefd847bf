"""A business's site names its signed-in visitors with a token signed by the workspace's
widget secret; anything else is refused with its reason, and names nobody."""

import time

import jwt
import pytest

from contento.accounts.actions import do_replace_widget_secret
from contento.customers.actions import do_create_customer
from contento.customers.models import Customer
from contento.customers.visitors import BadVisitorToken, read_visitor_token, visitor_customer


def _token(secret, **claims):
    claims.setdefault("sub", "site-42")
    claims.setdefault("exp", int(time.time()) + 3600)
    return jwt.encode(claims, secret, algorithm="HS256")


@pytest.fixture
def secret(personas):
    return do_replace_widget_secret(personas.org)


def test_a_token_signed_with_the_secret_names_the_visitor(personas, secret):
    token = _token(secret, email="Ana@Example.NET", name="  Ana   Pérez ", language="es")
    visitor = read_visitor_token(personas.org, token)
    assert (visitor.external_id, visitor.email, visitor.name, visitor.language) == (
        "site-42",
        "ana@example.net",
        "Ana Pérez",
        "es",
    )


@pytest.mark.parametrize(
    "make, reason",
    [
        (lambda s: _token("another-secret-of-enough-length-32b"), "not valid"),
        (lambda s: _token(s, exp=int(time.time()) - 3600), "expired"),
        (lambda s: _token(s, exp=int(time.time()) + 3 * 86400), "one day at most"),
        (lambda s: jwt.encode({"sub": "1"}, s, algorithm="HS256"), "not valid"),
        (lambda s: _token(s, sub=""), "sub is empty"),
        (lambda s: _token(s, email="not an address"), "not an address"),
        (lambda s: _token(s, name={"first": "Ana"}), "name must be text"),
        (lambda s: _token(s, name="x" * 201), "longer than 200"),
        (lambda s: "not.a.token", "not valid"),
        # An unsigned token ("alg": "none") is never accepted.
        (
            lambda s: jwt.encode({"sub": "1", "exp": time.time() + 60}, None, algorithm="none"),
            "not valid",
        ),
    ],
)
def test_anything_else_is_refused_with_its_reason(personas, secret, make, reason):
    with pytest.raises(BadVisitorToken, match=reason):
        read_visitor_token(personas.org, make(secret))


def test_without_a_secret_no_visitor_is_identified(personas, secret):
    token = _token(secret)
    do_replace_widget_secret(personas.org, remove=True)
    with pytest.raises(BadVisitorToken, match="no widget secret"):
        read_visitor_token(personas.org, token)
    # A replaced secret voids the tokens signed with the old one.
    new = do_replace_widget_secret(personas.org)
    assert new != secret
    with pytest.raises(BadVisitorToken):
        read_visitor_token(personas.org, token)


def test_another_workspaces_secret_names_nobody_here(personas, secret):
    do_replace_widget_secret(personas.other_org)
    with pytest.raises(BadVisitorToken):
        read_visitor_token(personas.other_org, _token(secret, email="ana@example.net"))


def test_the_visitor_is_found_by_the_sites_id_then_by_address_then_made(personas, secret):
    org = personas.org
    known = do_create_customer(org, name="Bea", email="bea@example.net", external_id="site-7")
    by_id = read_visitor_token(org, _token(secret, sub="site-7", email="new@example.net"))
    assert visitor_customer(org, by_id) == known

    by_address = do_create_customer(org, name="Ana", email="ana@example.net")
    visitor = read_visitor_token(org, _token(secret, sub="site-42", email="ana@example.net"))
    assert visitor_customer(org, visitor) == by_address
    by_address.refresh_from_db()
    assert by_address.external_id == "site-42"

    fresh = read_visitor_token(org, _token(secret, sub="site-9", email="cy@example.net", name="Cy"))
    assert visitor_customer(org, fresh, create=False) is None
    made = visitor_customer(org, fresh)
    assert (made.name, made.email, made.external_id) == ("Cy", "cy@example.net", "site-9")
    assert visitor_customer(org, fresh) == made  # once
    assert Customer.objects.filter(organization=org, external_id="site-9").count() == 1


def test_an_unknown_visitor_without_an_address_is_not_made(personas, secret):
    visitor = read_visitor_token(personas.org, _token(secret, sub="site-5"))
    with pytest.raises(BadVisitorToken, match="needs an email"):
        visitor_customer(personas.org, visitor)
    assert not Customer.objects.filter(external_id="site-5").exists()
