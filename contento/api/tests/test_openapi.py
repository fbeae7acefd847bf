"""The OpenAPI schema is the truth: schemathesis tries every operation against it.

Generated requests, valid and invalid, with a fixed seed and a bounded number of examples per
operation, on whichever database the suite runs on. Every response must be documented, match
its schema, and never be a server error; a request that breaks the schema must be refused and
one that keeps it must be accepted. The one exception is named below, with its reason.
"""

import json

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from contento.accounts.roles import Role
from contento.customers.actions import do_create_customer
from contento.customers.models import Customer, Product, Purchase

EXAMPLES = 20

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler())

# A survey definition has rules a JSON Schema cannot state (keys unique, pages in order, a
# condition naming an earlier question, fields that fit the question's type): a document of
# the right shape may still be refused with 422, listing every problem by path.
SEMANTIC_RULES = {("POST", "/api/v1/surveys"), ("PUT", "/api/v1/surveys/{code}")}


@pytest.fixture
def token(personas):
    return personas.token(Role.OWNER)


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Let schemathesis call the WSGI app as Django's test client does.

    A request normally closes a database connection that is inside a transaction; here the
    test's own transaction is that connection (the test client disconnects this the same way).
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_keeps_to_its_schema(case, token):
    excluded = []
    if (case.operation.method.upper(), case.operation.path) in SEMANTIC_RULES:
        excluded.append(positive_data_acceptance)
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, excluded_checks=excluded)


# The inputs the outside probe found answered with 500 on PostgreSQL, each now refused or
# stored clean on both databases.


def _api(personas):
    client = Client()
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {personas.token(Role.OWNER)}"
    return client


def _send(client, method, path, payload):
    return getattr(client, method)(
        f"/api/v1{path}", json.dumps(payload), content_type="application/json"
    )


def test_nul_characters_are_removed_from_api_text(personas):
    client = _api(personas)
    created = _send(client, "post", "/customers", {"name": "Ana\x00 Pérez", "phone": "6\x0000"})
    assert created.status_code == 201, created.content
    customer = Customer.objects.get()
    assert (customer.name, customer.phone) == ("Ana Pérez", "600")
    found = client.get("/api/v1/customers", {"q": "Ana\x00"})
    assert found.status_code == 200
    assert found.json()["count"] == 1
    # A query text's length counts as it was sent: 201 characters are too many for 200, even
    # when one of them is a NUL that would be removed.
    too_long = client.get("/api/v1/products", {"q": "a" * 200 + "\x00"})
    assert too_long.status_code == 422
    assert client.get("/api/v1/products", {"q": "a" * 199 + "\x00"}).status_code == 200


@pytest.mark.parametrize("offset", ["+20:00", "-23:59", "+16:00"])
def test_a_date_filter_with_any_offset_is_read(personas, offset):
    client = _api(personas)
    for path, name in (("/customers", "updated_since"), ("/purchases", "since")):
        reply = client.get(f"/api/v1{path}", {name: f"2026-01-01T00:00:00{offset}"})
        assert reply.status_code == 200, (path, reply.content)


@pytest.mark.parametrize(
    "path",
    ["/customers", "/companies", "/products", "/purchases", "/subscriptions", "/tickets"],
)
def test_paging_beyond_any_database_integer_is_refused(personas, path):
    client = _api(personas)
    for query in ({"offset": 2**63}, {"limit": 2**64}, {"offset": -1}, {"limit": 0}):
        reply = client.get(f"/api/v1{path}", query)
        assert reply.status_code == 422, (path, query, reply.status_code)


def test_paging_the_responses_of_a_survey_is_bounded(personas, live_survey):
    reply = _api(personas).get(f"/api/v1/surveys/{live_survey.code}/responses", {"offset": 2**63})
    assert reply.status_code == 422


def test_null_for_a_value_that_must_exist_is_refused(personas):

    customer = do_create_customer(personas.org, name="Ana", email="ana@example.net")
    product = Product.objects.create(organization=personas.org, name="Router")
    purchase = Purchase.objects.create(
        organization=personas.org,
        customer=customer,
        product=product,
        purchased_at="2026-01-01T00:00:00Z",
    )
    client = _api(personas)
    for field in ("currency", "amount", "purchased_at", "channel"):
        reply = _send(client, "patch", f"/purchases/{purchase.code}", {field: None})
        assert reply.status_code == 422, (field, reply.content)
    purchase.refresh_from_db()
    assert purchase.currency == "EUR"


def test_a_json_array_is_not_a_patch(personas):

    customer = do_create_customer(personas.org, name="Ana", email="ana@example.net")
    for body in ([], [{"name": "X"}], "name", 5):
        reply = _send(_api(personas), "patch", f"/customers/{customer.code}", body)
        assert reply.status_code in (400, 422), (body, reply.status_code)
    customer.refresh_from_db()
    assert customer.name == "Ana"


def test_an_over_long_text_is_refused_by_field(personas):
    reply = _send(_api(personas), "post", "/customers", {"name": "x" * 201})
    assert reply.status_code == 422
    assert "name" in json.dumps(reply.json()["errors"])
    assert Customer.objects.count() == 0
