"""The customer endpoints with a token: records, upserts, bad input, GDPR, roles, outsiders."""

import pytest

from contento.accounts.roles import Role
from contento.customers.actions import do_create_customer
from contento.customers.models import Company, Customer, Product, Purchase, Subscription


def _auth(personas, role):
    return {"HTTP_AUTHORIZATION": f"Bearer {personas.token(role)}"}


def _post(client, path, payload, auth):
    return client.post(f"/api/v1{path}", payload, content_type="application/json", **auth)


def _patch(client, path, payload, auth):
    return client.patch(f"/api/v1{path}", payload, content_type="application/json", **auth)


@pytest.fixture
def catalogue(personas):
    internet = Product.objects.create(
        organization=personas.org, name="Fibra 600", kind="service", sku="FIB600"
    )
    router = Product.objects.create(organization=personas.org, name="Router", sku="RT1")
    return internet, router


def test_customer_lifecycle_and_retries_do_not_duplicate(client, personas):
    auth = _auth(personas, Role.AGENT)
    company = _post(client, "/companies", {"name": "Tienda Sol", "external_id": "K1"}, auth)
    assert company.status_code == 201, company.content
    payload = {
        "name": "Lucía Pérez",
        "email": " Lucia@Example.NET ",
        "language": "es",
        "timezone": "Europe/Madrid",
        "external_id": "C-1",
        "company": company.json()["code"],
    }
    created = _post(client, "/customers", payload, auth)
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["email"] == "lucia@example.net"
    assert body["company"] == company.json()["code"]
    again = _post(client, "/customers", {**payload, "name": "Lucía Pérez Gil"}, auth)
    assert again.status_code == 200
    assert again.json()["code"] == body["code"]
    assert Customer.objects.filter(organization=personas.org).count() == 1
    assert Customer.objects.get().name == "Lucía Pérez Gil"

    # Without an external id, a customer is matched on their email, as imports do.
    by_email = _post(client, "/customers", {"name": "Lucía", "email": "lucia@example.net"}, auth)
    assert by_email.status_code == 200
    assert by_email.json()["code"] == body["code"]

    changed = _patch(
        client, f"/customers/{body['code']}", {"contact_consent": False, "company": None}, auth
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["contact_consent"] is False
    assert changed.json()["company"] is None
    assert changed.json()["language"] == "es"  # fields not sent are left alone

    listed = client.get("/api/v1/customers?email=LUCIA@example.net", **auth).json()
    assert [c["code"] for c in listed["items"]] == [body["code"]]
    assert client.get("/api/v1/customers?q=nobody", **auth).json()["count"] == 0


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "", "email": "a@example.net"}, "name"),
        ({"name": "Ana", "email": "not an address"}, "email"),
        ({"name": "Ana", "language": "xx"}, "language"),
        ({"name": "Ana", "timezone": "Mars/Olympus"}, "timezone"),
        ({"name": "Ana", "phone": "1" * 41}, "phone"),
    ],
)
def test_bad_customer_values_are_422_by_field_and_nothing_is_saved(
    client, personas, payload, field
):
    response = _post(client, "/customers", payload, _auth(personas, Role.MANAGER))
    assert response.status_code == 422, response.content
    assert field in response.json()["errors"]
    assert not Customer.objects.filter(organization=personas.org).exists()


def test_attributes_are_read_replaced_when_sent_and_kept_when_not(client, personas):
    auth = _auth(personas, Role.AGENT)
    payload = {
        "name": "Lucía",
        "email": "lucia@example.net",
        "external_id": "C-1",
        "attributes": {"plan": " Fibre 600 ", "region": "North"},
    }
    created = _post(client, "/customers", payload, auth)
    assert created.status_code == 201, created.content
    code = created.json()["code"]
    assert created.json()["attributes"] == {"plan": "Fibre 600", "region": "North"}
    assert Customer.objects.get().attributes == {"plan": "Fibre 600", "region": "North"}
    read = client.get(f"/api/v1/customers/{code}", **auth).json()
    assert read["attributes"] == {"plan": "Fibre 600", "region": "North"}
    listed = client.get("/api/v1/customers", **auth).json()["items"]
    assert listed[0]["attributes"] == read["attributes"]

    # Not sent: left alone, by a PATCH and by an upsert alike.
    renamed = _patch(client, f"/customers/{code}", {"name": "Lucía Pérez"}, auth)
    assert renamed.json()["attributes"] == {"plan": "Fibre 600", "region": "North"}
    upsert = _post(client, "/customers", {"name": "Lucía P.", "external_id": "C-1"}, auth)
    assert upsert.status_code == 200
    assert upsert.json()["attributes"] == {"plan": "Fibre 600", "region": "North"}

    # Sent: the whole map is replaced.
    replaced = _patch(client, f"/customers/{code}", {"attributes": {"segment": "smb"}}, auth)
    assert replaced.status_code == 200, replaced.content
    assert replaced.json()["attributes"] == {"segment": "smb"}
    again = _post(client, "/customers", {**payload, "attributes": {"plan": "1G"}}, auth)
    assert again.status_code == 200
    assert again.json()["attributes"] == {"plan": "1G"}
    cleared = _patch(client, f"/customers/{code}", {"attributes": None}, auth)
    assert cleared.status_code == 200
    assert cleared.json()["attributes"] == {}
    assert Customer.objects.get().attributes == {}
    assert client.get("/api/v1/customers", **auth).json()["items"][0]["attributes"] == {}


@pytest.mark.parametrize(
    ("attributes", "reason"),
    [
        ({"Plan": "gold"}, "'Plan' is not a valid attribute name"),
        ({"1plan": "gold"}, "not a valid attribute name"),
        ({"x" * 41: "gold"}, "not a valid attribute name"),
        ({"plan": "x" * 201}, "1 to 200 characters"),
        ({"plan": "   "}, "1 to 200 characters"),
        ({f"a{i}": "v" for i in range(51)}, "at most 50 attributes"),
    ],
)
def test_bad_attributes_are_422_and_nothing_is_saved(client, personas, attributes, reason):
    auth = _auth(personas, Role.MANAGER)
    payload = {"name": "Ana", "email": "ana@example.net", "attributes": attributes}
    response = _post(client, "/customers", payload, auth)
    assert response.status_code == 422, response.content
    assert reason in " ".join(response.json()["errors"]["attributes"])
    assert not Customer.objects.filter(organization=personas.org).exists()

    customer = do_create_customer(personas.org, name="Ana", email="ana@example.net")
    Customer.objects.filter(pk=customer.pk).update(attributes={"plan": "silver"})
    patch = {"name": "Ana María", "attributes": attributes}
    response = _patch(client, f"/customers/{customer.code}", patch, auth)
    assert response.status_code == 422
    assert "attributes" in response.json()["errors"]
    customer.refresh_from_db()
    assert (customer.name, customer.attributes) == ("Ana", {"plan": "silver"})


def test_attribute_values_must_be_texts(client, personas):
    auth = _auth(personas, Role.MANAGER)
    for attributes in ({"plan": {"nested": "x"}}, ["plan"], {"plan": 3}):
        payload = {"name": "Ana", "attributes": attributes}
        assert _post(client, "/customers", payload, auth).status_code == 422, attributes
    assert not Customer.objects.exists()


def test_unknown_company_is_404_and_read_only_fields_are_ignored(client, personas):
    auth = _auth(personas, Role.MANAGER)
    missing = _post(
        client,
        "/customers",
        {"name": "Ana", "company": "00000000-0000-0000-0000-000000000000"},
        auth,
    )
    assert missing.status_code == 404
    customer = do_create_customer(personas.org, name="Ana", email="ana@example.net")
    response = _patch(client, f"/customers/{customer.code}", {"erased": True}, auth)
    assert response.status_code == 200
    assert response.json()["erased"] is False


def test_products_purchases_and_subscriptions(client, personas, catalogue):
    internet, router = catalogue
    manager = _auth(personas, Role.MANAGER)
    customer = do_create_customer(personas.org, name="Budi", email="budi@example.net")

    product = _post(
        client, "/products", {"name": "Fibra 1G", "sku": "FIB1G", "price": 39.9}, manager
    )
    assert product.status_code == 201
    assert product.json()["price"] == "39.90"
    same_sku = _post(client, "/products", {"name": "Fibra 1 Gbps", "sku": "FIB1G"}, manager)
    assert same_sku.status_code == 200
    assert same_sku.json()["code"] == product.json()["code"]
    bad_kind = _post(client, "/products", {"name": "X", "kind": "gadget"}, manager)
    assert bad_kind.status_code == 422
    assert "kind" in bad_kind.json()["errors"]

    sale = {
        "customer": str(customer.code),
        "product": str(router.code),
        "purchased_at": "2026-03-01T10:00:00+07:00",
        "amount": "59.00",
        "currency": "idr",
        "channel": "store",
        "external_id": "ORDER-9",
    }
    first = _post(client, "/purchases", sale, manager)
    assert first.status_code == 201, first.content
    assert first.json()["currency"] == "IDR"
    assert first.json()["amount"] == "59.00"
    retry = _post(client, "/purchases", sale, manager)
    assert retry.status_code == 200
    assert Purchase.objects.count() == 1
    bad = _post(client, "/purchases", {**sale, "external_id": "", "channel": "pigeon"}, manager)
    assert bad.status_code == 422
    assert Purchase.objects.count() == 1
    corrected = _patch(client, f"/purchases/{first.json()['code']}", {"amount": 49}, manager)
    assert corrected.json()["amount"] == "49.00"

    line = {
        "customer": str(customer.code),
        "product": str(internet.code),
        "started_on": "2025-12-01",
        "renews_on": "2026-12-01",
        "monthly_amount": "30",
        "external_id": "LINE-1",
    }
    started = _post(client, "/subscriptions", line, manager)
    assert started.status_code == 201
    assert started.json()["status"] == "active"
    code = started.json()["code"]
    ended_early = _patch(client, f"/subscriptions/{code}", {"ends_on": "2025-01-01"}, manager)
    assert ended_early.status_code == 422
    assert "ends_on" in ended_early.json()["errors"]
    renewed = _patch(
        client, f"/subscriptions/{code}", {"renewals": 1, "renews_on": "2027-12-01"}, manager
    )
    assert renewed.json()["renewals"] == 1
    assert renewed.json()["renews_on"] == "2027-12-01"
    cancelled = _patch(
        client,
        f"/subscriptions/{code}",
        {"status": "cancelled", "ends_on": "2026-06-30", "renews_on": None},
        manager,
    )
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["renews_on"] is None
    listed = client.get(f"/api/v1/subscriptions?customer={customer.code}", **manager).json()
    assert [s["code"] for s in listed["items"]] == [code]
    listed = client.get(f"/api/v1/purchases?product={internet.code}", **manager).json()
    assert listed["count"] == 0


def test_an_external_id_of_another_customers_sale_is_refused(client, personas, catalogue):
    _internet, router = catalogue
    auth = _auth(personas, Role.MANAGER)
    ana = do_create_customer(personas.org, name="Ana", email="ana@example.net")
    bob = do_create_customer(personas.org, name="Bob", email="bob@example.net")
    sale = {
        "customer": str(ana.code),
        "product": str(router.code),
        "purchased_at": "2026-03-01T10:00:00Z",
        "external_id": "ORDER-1",
    }
    assert _post(client, "/purchases", sale, auth).status_code == 201
    moved = _post(client, "/purchases", {**sale, "customer": str(bob.code)}, auth)
    assert moved.status_code == 422
    assert Purchase.objects.get().customer == ana


def test_export_and_erase(client, personas, catalogue):
    _internet, router = catalogue
    customer = do_create_customer(personas.org, name="Sergei Ivanov", email="sergei@example.net")
    Purchase.objects.create(
        organization=personas.org,
        customer=customer,
        product=router,
        purchased_at="2026-01-01T00:00:00Z",
        amount=10,
    )
    agent, manager = _auth(personas, Role.AGENT), _auth(personas, Role.MANAGER)
    assert client.get(f"/api/v1/customers/{customer.code}/export", **agent).status_code == 403
    exported = client.get(f"/api/v1/customers/{customer.code}/export", **manager)
    assert exported.status_code == 200
    assert "sergei@example.net" in exported.content.decode()
    assert len(exported.json()["purchases"]) == 1

    assert _post(client, f"/customers/{customer.code}/erase", {}, agent).status_code == 403
    erased = _post(client, f"/customers/{customer.code}/erase", {}, manager)
    assert erased.status_code == 200
    assert erased.json()["erased"] is True
    assert erased.json()["email"] == ""
    assert "Sergei" not in erased.json()["name"]
    assert Purchase.objects.filter(customer=customer).count() == 1  # figures are kept
    again = _post(client, f"/customers/{customer.code}/erase", {}, manager)
    assert again.status_code == 200
    refused = _patch(client, f"/customers/{customer.code}", {"name": "Sergei"}, manager)
    assert refused.status_code == 422
    assert "Sergei" not in Customer.objects.get(pk=customer.pk).name


@pytest.mark.parametrize("role", [Role.OWNER, Role.MANAGER, Role.AGENT, Role.ANALYST])
def test_roles(client, personas, catalogue, role):
    auth = _auth(personas, role)
    customer = do_create_customer(personas.org, name="Ana", email="ana@example.net")
    assert client.get(f"/api/v1/customers/{customer.code}", **auth).status_code == 200
    assert client.get("/api/v1/products", **auth).json()["count"] == 2
    edit = _patch(client, f"/customers/{customer.code}", {"phone": "+34 600 000 000"}, auth)
    assert edit.status_code == (403 if role == Role.ANALYST else 200)
    catalogue_edit = _post(client, "/products", {"name": "Antenna"}, auth)
    assert catalogue_edit.status_code == (403 if role in (Role.AGENT, Role.ANALYST) else 201)


def test_outsiders_and_anonymous(client, personas, catalogue):
    internet, _router = catalogue
    customer = do_create_customer(personas.org, name="Ana", email="ana@example.net")
    company = Company.objects.create(organization=personas.org, name="Sol")
    subscription = Subscription.objects.create(
        organization=personas.org, customer=customer, product=internet, started_on="2026-01-01"
    )
    auth = _auth(personas, personas.outsider)
    for path in (
        f"/customers/{customer.code}",
        f"/companies/{company.code}",
        f"/products/{internet.code}",
        f"/subscriptions/{subscription.code}",
        f"/customers/{customer.code}/export",
    ):
        assert client.get(f"/api/v1{path}", **auth).status_code == 404, path
    for path in ("/customers", "/companies", "/products", "/purchases", "/subscriptions"):
        assert client.get(f"/api/v1{path}", **auth).json()["items"] == [], path
        assert client.get(f"/api/v1{path}").status_code == 401, path
    assert _patch(client, f"/customers/{customer.code}", {"name": "X"}, auth).status_code == 404
    erase = _post(client, f"/customers/{customer.code}/erase", {}, auth)
    assert erase.status_code == 404
    sale = {
        "customer": str(customer.code),
        "product": str(internet.code),
        "purchased_at": "2026-03-01T10:00:00Z",
    }
    assert _post(client, "/purchases", sale, auth).status_code == 404
    customer.refresh_from_db()
    assert customer.name == "Ana"
    assert customer.erased_at is None
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/customers", "/api/v1/customers/{code}/erase", "/api/v1/subscriptions"} <= set(
        paths
    )


def test_an_outsider_replaying_external_ids_gets_records_of_their_own(client, personas, catalogue):
    """Upserts are keyed by external id within the asking token's workspace only."""
    _internet, router = catalogue
    acme = _auth(personas, Role.MANAGER)
    ana = _post(client, "/customers", {"name": "Ana", "external_id": "C-1"}, acme).json()
    by_email = _post(client, "/customers", {"name": "Bea", "email": "bea@example.net"}, acme)
    sale = {"customer": ana["code"], "product": str(router.code), "external_id": "ORDER-1"}
    sale["purchased_at"] = "2026-03-01T10:00:00Z"
    assert _post(client, "/purchases", sale, acme).status_code == 201
    outsider = _auth(personas, personas.outsider)
    mine = _post(client, "/customers", {"name": "Mallory", "external_id": "C-1"}, outsider)
    assert mine.status_code == 201
    assert mine.json()["code"] != ana["code"]
    assert mine.json()["name"] == "Mallory"
    again = _post(client, "/customers", {"name": "M", "email": "bea@example.net"}, outsider)
    assert again.status_code == 201
    assert again.json()["code"] != by_email.json()["code"]
    product = _post(client, "/products", {"name": "Fake", "sku": "RT1"}, outsider).json()
    theirs = {"customer": mine.json()["code"], "product": product["code"]}
    theirs |= {"external_id": "ORDER-1", "purchased_at": "2026-03-02T10:00:00Z"}
    replay = _post(client, "/purchases", theirs, outsider)
    assert replay.status_code == 201
    assert replay.json()["customer"] == mine.json()["code"]
    assert Customer.objects.get(code=ana["code"]).name == "Ana"
    assert Purchase.objects.filter(organization=personas.org).get().customer.name == "Ana"
