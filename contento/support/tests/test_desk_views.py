"""The desk pages by role and as an outsider; the public pages without signing in."""

import re

import pytest
from django.urls import reverse

from contento.accounts.roles import Role
from contento.support import ratings
from contento.support.access import customer_ticket_token
from contento.support.actions.messages import do_add_note, do_reply_to_ticket
from contento.support.actions.tickets import do_create_ticket, do_mark_ticket_angry
from contento.support.models import CannedReply, CannedReplyTranslation, Ticket, TicketRating


def form_key(page) -> str:
    """Return the idempotency key the server put in a form page."""
    match = re.search(r'name="idempotency_key" value="([^"]+)"', page.content.decode())
    assert match, "the form carries no idempotency key"
    return match.group(1)


@pytest.fixture
def ticket(desk):
    return do_create_ticket(
        desk.org,
        customer=desk.customer,
        subject="Factura duplicada",
        body="Me cobraron dos veces.",
        channel=Ticket.Channel.WEB,
        team=desk.team,
    )


@pytest.mark.parametrize("role", [Role.OWNER, Role.MANAGER, Role.AGENT, Role.ANALYST])
def test_desk_pages_by_role(personas, ticket, role):
    client = personas.client(role)
    assert client.get(reverse("support:queue") + "?view=all").status_code == 200
    assert client.get(ticket.get_absolute_url()).status_code == 200
    response = client.post(reverse("support:reply", args=[ticket.code]), {"body": "Hola Lucía"})
    can_work = role != Role.ANALYST
    assert response.status_code == (302 if can_work else 403)
    assert ticket.messages.filter(direction="outbound").exists() is can_work


def test_outsiders_and_anonymous_see_nothing(personas, ticket):
    outsider = personas.client(personas.outsider)
    assert outsider.get(ticket.get_absolute_url()).status_code == 404
    body = outsider.get(reverse("support:queue") + "?view=all").content.decode()
    assert "Factura duplicada" not in body
    response = outsider.post(reverse("support:reply", args=[ticket.code]), {"body": "x"})
    assert response.status_code == 404
    assert personas.client().get(reverse("support:queue")).status_code == 302


def test_the_queue_puts_angry_customers_first(personas, desk, ticket):
    calm = do_create_ticket(
        desk.org, customer=desk.customer, subject="Calm question", body="?", channel="web"
    )
    do_mark_ticket_angry(ticket)
    body = personas.client(Role.MANAGER).get(reverse("support:queue") + "?view=all")
    text = body.content.decode()
    assert text.index("Factura duplicada") < text.index("Calm question")
    only_angry = personas.client(Role.MANAGER).get(reverse("support:queue") + "?view=all&angry=1")
    assert calm.subject not in only_angry.content.decode()


def test_the_queue_does_not_query_per_ticket(personas, desk, django_assert_max_num_queries):
    for n in range(15):
        do_create_ticket(
            desk.org,
            customer=desk.customer,
            subject=f"T{n}",
            body="b",
            channel="web",
            team=desk.team,
        )
    client = personas.client(Role.MANAGER)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("support:queue") + "?view=all").status_code == 200


def test_agents_cannot_give_tickets_away_but_managers_can(personas, desk, ticket):
    agent = personas.client(Role.AGENT)
    agent.post(reverse("support:update", args=[ticket.code]), {"assignee": str(desk.bob.pk)})
    ticket.refresh_from_db()
    assert ticket.assignee == desk.alice  # round-robin gave it to Alice; she cannot hand it over
    personas.client(Role.MANAGER).post(
        reverse("support:update", args=[ticket.code]), {"assignee": str(desk.bob.pk)}
    )
    ticket.refresh_from_db()
    assert ticket.assignee == desk.bob


def test_canned_reply_in_the_customers_language(personas, desk, ticket):
    reply = CannedReply.objects.create(organization=desk.org, title="Refund")
    CannedReplyTranslation.objects.create(
        reply=reply, language="en", body="Hello {customer_name}, refund for #{ticket_reference}."
    )
    CannedReplyTranslation.objects.create(
        reply=reply, language="es", body="Hola {customer_name}, reembolso del #{ticket_reference}."
    )
    url = reverse("support:canned_reply", args=[ticket.code, reply.code])
    text = personas.client(Role.AGENT).get(url).content.decode()
    assert text == f"Hola Lucía Pérez, reembolso del #{ticket.reference}."
    assert personas.client(personas.outsider).get(url).status_code == 404


def test_contact_form_opens_a_ticket_and_the_customer_follows_it(client, desk):
    url = reverse("support_public:contact", args=[desk.org.code]) + "?lang=fr"
    page = client.get(url)
    assert page.status_code == 200
    assert "Contact" in page.content.decode()
    key = form_key(page)
    response = client.post(
        url,
        {
            "name": "Jean",
            "email": "jean@example.fr",
            "subject": "Colis perdu",
            "body": "Mon colis <script>alert(1)</script> n'est jamais arrivé.",
            "language": "fr",
            "idempotency_key": key,
        },
    )
    ticket = Ticket.objects.get(subject="Colis perdu")
    assert response.status_code == 302
    assert ticket.customer.language == "fr"
    assert ticket.channel == "web"
    own = client.get(response["Location"]).content.decode()
    assert "Colis perdu" in own
    assert "<script>alert(1)</script>" not in own
    # A double submit of the same form does not open a second ticket.
    client.post(
        url,
        {
            "name": "Jean",
            "email": "jean@example.fr",
            "subject": "Colis perdu",
            "body": "again",
            "language": "fr",
            "idempotency_key": key,
        },
    )
    assert Ticket.objects.filter(subject="Colis perdu").count() == 1


def test_customer_link_shows_no_internal_notes_and_rejects_forgeries(client, desk, ticket):
    do_add_note(ticket, desk.alice, "Customer is a VIP, be quick")
    do_reply_to_ticket(ticket, desk.alice, body="Le devolvemos el dinero.")
    url = reverse("support_public:ticket", args=[customer_ticket_token(ticket)])
    page = client.get(url).content.decode()
    assert "Le devolvemos el dinero." in page
    assert "VIP" not in page
    assert client.get(url[:-5] + "xxxx/").status_code == 404
    client.post(url, {"body": "¡Gracias!"})
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.OPEN
    assert ticket.messages.count() == 4


def test_notes_and_calls_from_the_ticket_page(personas, ticket):
    client = personas.client(Role.AGENT)
    client.post(reverse("support:note", args=[ticket.code]), {"note-body": "Check the line"})
    client.post(
        reverse("support:call", args=[ticket.code]),
        {"call-channel": "phone", "call-body": "Called her back", "call-outcome": "resolved"},
    )
    kinds = list(ticket.messages.values_list("kind", flat=True))
    assert kinds == ["message", "note", "call"]
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.SOLVED


def test_public_desk_links_refuse_forgeries_and_unknown_workspaces(client, desk):
    import uuid

    assert client.get(reverse("support_public:rate", args=["forged-token"])).status_code == 404
    assert (
        client.post(reverse("support_public:rate", args=["forged"]), {"score": "1"}).status_code
        == 404
    )
    unknown = uuid.uuid4()
    assert client.get(reverse("support_public:contact", args=[unknown])).status_code == 404
    assert client.get(reverse("support_public:chat", args=[unknown])).status_code == 404
    assert client.get(reverse("support_public:conversation", args=["nope"])).status_code == 404


def test_contact_form_with_a_bad_email_explains_and_opens_nothing(client, desk):
    url = reverse("support_public:contact", args=[desk.org.code])
    page = client.post(
        url,
        {"name": "X", "email": "not-an-address", "subject": "Hi", "body": "Hi", "language": "en"},
    )
    assert page.status_code == 200
    assert "valid email" in page.content.decode()
    assert not Ticket.objects.exists()


def test_the_chat_page_polls_the_conversation_of_an_open_ticket(client, desk, ticket):
    token = customer_ticket_token(ticket)
    url = reverse("support_public:conversation", args=[token])
    polled = client.get(url)
    assert polled.status_code == 200
    # The polled part keeps polling itself, from the last message it shows.
    last = ticket.messages.latest("pk").pk
    assert f'hx-get="{url}?after={last}"' in polled.content.decode()
    # Nothing new: an empty answer that changes nothing on the page.
    assert client.get(url, {"after": last}).status_code == 204
    do_reply_to_ticket(ticket, desk.alice, body="¿Sigue pasando?")
    news = client.get(url, {"after": last})
    assert news.status_code == 200
    assert "¿Sigue pasando?" in news.content.decode()


def test_the_agent_page_polls_a_live_chat_for_news(personas, desk):
    chat = do_create_ticket(
        desk.org,
        customer=desk.customer,
        subject="Chat",
        body="¿Hay alguien?",
        channel=Ticket.Channel.CHAT,
        team=desk.team,
    )
    agent = personas.client(Role.AGENT)
    page = agent.get(chat.get_absolute_url()).content.decode()
    url = reverse("support:conversation", args=[chat.code])
    last = chat.messages.latest("pk").pk
    assert f'hx-get="{url}?after={last}"' in page
    assert agent.get(url, {"after": last}).status_code == 204
    assert personas.client(personas.outsider).get(url, {"after": last}).status_code == 404


def test_outside_text_with_nul_or_an_over_long_address_is_handled(client, desk):

    long_email = "a" * 250 + "@example.net"  # 262 characters: more than any address column
    for name in ("support_public:contact", "support_public:chat"):
        url = reverse(name, args=[desk.org.code])
        reply = client.post(
            url,
            {"name": "Jo", "email": long_email, "subject": "s", "body": "b", "language": "en"},
        )
        assert reply.status_code == 200
        assert "errorlist" in reply.content.decode()
    assert Ticket.objects.count() == 0
    reply = client.post(
        reverse("support_public:contact", args=[desk.org.code]),
        {
            "name": "Jo\x00",
            "email": "jo@example.net",
            "subject": "Hi\x00",
            "body": "No\x00 signal",
            "language": "en",
        },
    )
    assert reply.status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.subject == "Hi"
    assert ticket.messages.get().body == "No signal"
    rating = ratings.schedule(ticket)
    rate = reverse("support_public:rate", args=[ratings.rating_token(rating)])
    answered = client.post(rate, {"score": "4", "comment": "Fine\x00 thanks"})
    assert answered.status_code == 200
    assert TicketRating.objects.get(pk=rating.pk).comment == "Fine thanks"
