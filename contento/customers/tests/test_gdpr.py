"""A customer's data requests: a full export, and an erasure that leaves the figures alone."""

import json
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.urls import reverse

from contento.accounts.roles import Role
from contento.customers.actions import do_create_customer
from contento.customers.gdpr import ERASED, ERASED_NAME, do_erase_customer, export_customer
from contento.customers.models import ContactPoint, Customer, Note, Product, Purchase
from contento.customers.timeline import do_add_customer_note
from contento.support import tasks
from contento.support.actions.messages import (
    do_add_customer_message,
    do_add_note,
    do_reply_to_ticket,
)
from contento.support.actions.ratings import do_rate_ticket
from contento.support.actions.steps import MailDetails, MailHeaders, NewAttachment
from contento.support.actions.tickets import do_create_ticket
from contento.support.channels.email import inbound
from contento.support.models import Attachment, InboundEmail, Team, Ticket, TicketRating
from contento.surveys import metrics
from contento.surveys.actions import do_submit_response
from contento.surveys.models import Answer, MonthlyScoreCount, PairMoment, Response, ScoreCount

T0 = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)
NAME = "Zoë Quillfeather"
EMAIL = "zoe.quill@example.net"
OTHER_EMAIL = "zq@home.example"
PHONE = "+34 600 111 222"
# A word only this customer ever wrote, to find any copy of their text left behind.
WORD = "xylophonic"
SECRETS = [NAME, "Quillfeather", EMAIL, OTHER_EMAIL, PHONE, WORD]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _membership(personas, role):
    return personas.members[role].memberships.get(organization=personas.org)


def _mail(subject: str, body: str, message_id: str, sender=EMAIL) -> bytes:
    message = EmailMessage()
    message["From"] = f"{NAME} <{sender}>"
    message["To"] = "help@acme.test"
    message["Subject"] = subject
    message["Message-ID"] = message_id
    message["Date"] = "Mon, 02 Feb 2026 09:00:00 +0000"
    message.set_content(body)
    message.add_attachment(
        f"Speed test by {NAME}: {WORD} results".encode(),
        maintype="text",
        subtype="plain",
        filename="speedtest.txt",
    )
    return message.as_bytes()


@pytest.fixture
def zoe(personas, live_survey):
    """A customer with a bit of everything: tickets, mail, files, answers, a bad rating."""
    org = personas.org
    agent = _membership(personas, Role.AGENT)
    Team.objects.create(organization=org, name="Support", email_address="help@acme.test")
    customer = do_create_customer(org, name=NAME, email=EMAIL, language="en")
    customer.phone = PHONE
    customer.timezone = "Europe/Madrid"
    customer.attributes = {"plan": "Fibre 600", "nickname": f"the {WORD} one"}
    customer.save()
    ContactPoint.objects.create(
        customer=customer, organization=org, kind="email", value=OTHER_EMAIL
    )
    router = Product.objects.create(organization=org, name="Router X")
    Purchase.objects.create(
        organization=org, customer=customer, product=router, purchased_at=T0, amount="99.00"
    )
    ticket = do_create_ticket(
        org,
        customer=customer,
        subject=f"{NAME} cannot connect",
        body=f"Hello, this is {NAME}. My line makes a {WORD} noise.",
        channel="web",
        attachments=[NewAttachment("photo.txt", "text/plain", f"{WORD} photo of {NAME}".encode())],
        at=T0,
    )
    do_add_note(ticket, agent, f"{NAME} called twice.", at=T0 + timedelta(hours=1))
    do_reply_to_ticket(
        ticket,
        agent,
        body=f"Dear {NAME}, we fixed it.",
        status=Ticket.Status.SOLVED,
        at=T0 + timedelta(hours=2),
    )
    rating = TicketRating.objects.get(ticket=ticket)
    do_rate_ticket(rating, 2, at=T0 + timedelta(days=1))
    do_rate_ticket(rating, None, f"The {WORD} hum came back", at=T0 + timedelta(days=1))
    record = inbound.receive(
        _mail(
            f"{NAME}: router down again",
            f"It is the {WORD} sound again.\n\n-- \n{NAME}\n{PHONE}",
            "<gdpr-1@mail.example>",
        ),
        ["help@acme.test"],
        at=T0 + timedelta(days=2),
    )
    assert record.ticket.customer == customer
    assert record.raw
    do_submit_response(
        live_survey,
        answers={"nps": 9, "why": f"{NAME} thinks it is {WORD}", "csat": 4},
        customer=customer,
        at=T0 + timedelta(days=3),
    )
    do_submit_response(
        live_survey,
        answers={"nps": 3, "fix": f"Less {WORD} noise", "stars": 2},
        customer=customer,
        at=T0 + timedelta(days=4),
    )
    do_add_customer_note(customer, agent, f"{NAME} prefers mornings.")
    return customer


def _figures(personas):
    """Everything the dashboards count, for the workspace's surveys."""
    surveys = [*personas.org.surveys.all()]
    return {
        "counts": {s.code: metrics.score_counts(s, metrics.Filters()) for s in surveys},
        "scans": {s.code: metrics.score_counts_scan(s, metrics.Filters()) for s in surveys},
        "daily": sorted(ScoreCount.objects.values_list("question_id", "day", "value", "n")),
        "monthly": sorted(
            MonthlyScoreCount.objects.values_list("question_id", "month", "dimension", "n")
        ),
        "pairs": sorted(PairMoment.objects.values_list("var_a", "var_b", "n", "sum_ab")),
        "responses": Response.objects.filter(status="complete").count(),
        "scored": Answer.objects.exclude(value=None).count(),
        "tickets": Ticket.objects.count(),
        "customers": Customer.objects.count(),
    }


TEXT_TYPES = {"CharField", "TextField", "SlugField", "FileField", "JSONField"}


def _leftovers(strings) -> list[str]:
    """Return "model.field: string" for every copy of these strings anywhere in the database."""
    found = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        fields = [f for f in model._meta.concrete_fields if f.get_internal_type() in TEXT_TYPES]
        for field in fields:
            for value in model._base_manager.values_list(field.attname, flat=True):
                if value is None:
                    continue
                text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
                found += [
                    f"{model._meta.label}.{field.name}: {s}"
                    for s in strings
                    if s.casefold() in text.casefold()
                ]
    return found


# Export ----------------------------------------------------------------------------------------


def test_export_holds_everything_about_the_customer(zoe, live_survey):
    data = export_customer(zoe)
    assert json.loads(json.dumps(data)) == data  # plain JSON, nothing to convert
    assert data["format"] == "contento.customer-export/1"
    assert data["customer"]["code"] == str(zoe.code)
    assert data["customer"]["email"] == EMAIL
    assert data["customer"]["phone"] == PHONE
    assert data["customer"]["attributes"] == {"plan": "Fibre 600", "nickname": f"the {WORD} one"}
    assert data["contact_points"] == [{"kind": "email", "value": OTHER_EMAIL}]
    [purchase] = data["purchases"]
    assert purchase["product"]["name"] == "Router X"
    assert purchase["amount"] == "99.00"
    assert purchase["purchased_at"] == T0.isoformat()
    assert [n["body"] for n in data["notes"]] == [f"{NAME} prefers mornings."]
    first, follow_up, mailed = data["tickets"]
    bodies = [m["body"] for m in first["messages"]]
    assert bodies == [
        f"Hello, this is {NAME}. My line makes a {WORD} noise.",
        f"Dear {NAME}, we fixed it.",
    ]
    assert f"{NAME} called twice." not in json.dumps(data)  # internal notes stay internal
    [attachment] = first["messages"][0]["attachments"]
    assert attachment["filename"] == "photo.txt"
    assert attachment["size"] > 0
    assert first["ratings"][0]["score"] == 2
    assert first["ratings"][0]["comment"] == f"The {WORD} hum came back"
    assert follow_up["channel"] == "follow_up"
    assert mailed["messages"][0]["email_from"] == EMAIL
    assert mailed["messages"][0]["attachments"][0]["filename"] == "speedtest.txt"
    answers = {
        (r["survey"]["code"], a["question"]): a
        for r in data["survey_responses"]
        for a in r["answers"]
    }
    survey = str(live_survey.code)
    assert answers[(survey, "why")]["text"] == f"{NAME} thinks it is {WORD}"
    assert answers[(survey, "fix")]["text"] == f"Less {WORD} noise"
    assert answers[(survey, "nps")]["value"] in (9, 3)
    assert answers[(survey, "why")]["answered_at"].startswith("2026-02-05")
    assert all(
        isinstance(r["code"], str) and len(r["code"]) == 36 for r in data["survey_responses"]
    )


def test_export_reads_a_fixed_number_of_queries(zoe, django_assert_max_num_queries):
    with django_assert_max_num_queries(16):
        export_customer(zoe)


# Erasure ---------------------------------------------------------------------------------------


def test_erasure_leaves_no_trace_and_the_same_figures(
    personas, zoe, django_capture_on_commit_callbacks
):
    files = [a.file.name for a in Attachment.objects.all()]
    files += [e.raw.name for e in InboundEmail.objects.all()]
    assert len(files) == 3
    assert all(default_storage.exists(name) for name in files)
    assert set(_leftovers(SECRETS)) > set()  # the search finds what is there
    figures = _figures(personas)

    with django_capture_on_commit_callbacks(execute=True):
        do_erase_customer(zoe, actor=_membership(personas, Role.OWNER))

    assert _leftovers(SECRETS) == []
    assert not any(default_storage.exists(name) for name in files)
    assert not Attachment.objects.exists()
    assert _figures(personas) == figures
    zoe.refresh_from_db()
    assert zoe.name == ERASED_NAME
    assert zoe.erased_at is not None
    assert (zoe.email, zoe.phone, zoe.timezone, zoe.contact_consent) == ("", "", "", False)
    assert zoe.attributes == {}
    assert export_customer(zoe)["customer"]["attributes"] == {}
    assert not ContactPoint.objects.exists()
    assert not Note.objects.exists()
    assert set(Ticket.objects.values_list("subject", flat=True)) == {ERASED}
    assert Response.objects.filter(customer=zoe).count() == 3  # two surveys and the rating
    assert Purchase.objects.filter(customer=zoe).count() == 1
    assert InboundEmail.objects.get().message_id == "<gdpr-1@mail.example>"


def test_what_they_wrote_on_someone_elses_ticket_goes_too(personas, zoe):
    colleague = do_create_customer(personas.org, name="Pat Boss", email="pat@example.net")
    ticket = do_create_ticket(
        personas.org,
        customer=colleague,
        subject="Office line",
        body="Our office line is down.",
        channel="email",
        mail=MailDetails(MailHeaders(email_to=f"help@acme.test {OTHER_EMAIL}")),
    )
    do_add_customer_message(
        ticket,
        body=f"Same here, {WORD}.",
        channel="email",
        mail=MailDetails(MailHeaders(email_from=EMAIL, email_to="help@acme.test")),
    )
    do_erase_customer(zoe)
    assert _leftovers(SECRETS) == []
    first, theirs = ticket.messages.order_by("created_at", "pk")
    assert (first.body, first.email_to) == ("Our office line is down.", "help@acme.test")
    assert theirs.body == ERASED
    ticket.refresh_from_db()
    assert ticket.subject == "Office line"
    assert ticket.customer == colleague


def test_erasing_twice_changes_nothing(personas, zoe):
    do_erase_customer(zoe)
    zoe.refresh_from_db()
    first = (zoe.erased_at, export_customer(zoe))
    do_erase_customer(zoe)
    zoe.refresh_from_db()
    again = (zoe.erased_at, export_customer(zoe))
    assert first[0] == again[0]
    first[1].pop("exported_at"), again[1].pop("exported_at")
    first[1]["customer"].pop("updated_at"), again[1]["customer"].pop("updated_at")
    assert first[1] == again[1]


def test_mail_from_an_erased_address_starts_afresh(personas, zoe):
    do_erase_customer(zoe)
    record = inbound.receive(
        _mail("Hello again", "New question.", "<gdpr-2@mail.example>"), ["help@acme.test"]
    )
    assert record.ticket.customer != zoe
    assert record.ticket.customer.email == EMAIL


def test_erasure_by_someone_of_another_workspace_is_refused(personas, zoe):
    with pytest.raises(ValidationError):
        do_erase_customer(zoe, actor=personas.outsider.memberships.get())
    zoe.refresh_from_db()
    assert zoe.erased_at is None


def test_a_rating_request_not_yet_sent_is_dropped(personas):
    customer = do_create_customer(personas.org, name=NAME, email=EMAIL)
    ticket = do_create_ticket(
        personas.org, customer=customer, subject="Help", body="Please.", channel="web"
    )
    do_reply_to_ticket(
        ticket, _membership(personas, Role.AGENT), body="Done.", status=Ticket.Status.SOLVED
    )
    rating = TicketRating.objects.get(ticket=ticket)
    assert rating.status == TicketRating.Status.SCHEDULED
    do_erase_customer(customer)
    rating.refresh_from_db()
    assert rating.status == TicketRating.Status.SKIPPED
    assert tasks.send_rating.func(str(rating.code)) != "sent"


# Pages -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [(Role.OWNER, 200), (Role.MANAGER, 200), (Role.AGENT, 403), (Role.ANALYST, 403)],
)
def test_export_and_erase_pages_by_role(personas, zoe, role, status):
    client = personas.client(role)
    export = client.get(reverse("customers:export", args=[zoe.code]))
    assert export.status_code == status
    assert client.get(reverse("customers:erase", args=[zoe.code])).status_code == status
    client.post(reverse("customers:erase", args=[zoe.code]), {"confirm_name": NAME})
    zoe.refresh_from_db()
    assert (zoe.erased_at is not None) is (status == 200)
    if status == 200:
        assert export["Content-Disposition"] == f'attachment; filename="customer-{zoe.code}.json"'
        assert json.loads(export.content)["customer"]["name"] == NAME


def test_outsiders_and_strangers_get_nothing(personas, zoe):
    export = reverse("customers:export", args=[zoe.code])
    erase = reverse("customers:erase", args=[zoe.code])
    outsider = personas.client(personas.outsider)
    assert outsider.get(export).status_code == 404
    assert outsider.get(erase).status_code == 404
    assert outsider.post(erase, {"confirm_name": NAME}).status_code == 404
    anonymous = personas.client()
    assert anonymous.get(export).status_code == 302
    assert anonymous.post(erase, {"confirm_name": NAME}).status_code == 302
    zoe.refresh_from_db()
    assert zoe.erased_at is None


def test_erasing_needs_the_name_typed(personas, zoe):
    client = personas.client(Role.OWNER)
    url = reverse("customers:erase", args=[zoe.code])
    page = client.get(url)
    assert "confirm_name" in page.content.decode()
    wrong = client.post(url, {"confirm_name": "Zoe Q"})
    assert wrong.status_code == 200
    assert "does not match" in wrong.content.decode()
    zoe.refresh_from_db()
    assert zoe.erased_at is None
    done = client.post(url, {"confirm_name": f"  {NAME.upper()} "})
    assert done.status_code == 302
    assert done["Location"] == reverse("customers:detail", args=[zoe.code])
    zoe.refresh_from_db()
    assert zoe.erased_at is not None
    assert "was erased" in client.get(url).content.decode()
    assert client.post(url, {"confirm_name": "anything"}).status_code == 302
