"""After a ticket is solved: the question in the customer's language, one click, follow-up."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from contento.support.actions.messages import do_reply_to_ticket
from contento.support.actions.ratings import do_rate_ticket
from contento.support.actions.tickets import do_assign_ticket, do_create_ticket
from contento.support.models import Ticket, TicketEvent, TicketRating
from contento.surveys.models import Answer

pytestmark = pytest.mark.django_db(transaction=True)

SOLVED = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def _solved_ticket(desk):
    with time_machine.travel(SOLVED - timedelta(hours=2), tick=False):
        ticket = do_create_ticket(
            desk.org,
            customer=desk.customer,
            subject="Sin internet",
            body="No funciona.",
            channel="email",
            team=desk.team,
        )
    with time_machine.travel(SOLVED, tick=False):
        do_reply_to_ticket(
            ticket, desk.alice, body="Ya está arreglado.", status=Ticket.Status.SOLVED
        )
    return ticket


def test_the_question_is_sent_after_the_delay_in_the_customers_language(desk, client):
    ticket = _solved_ticket(desk)
    rating = TicketRating.objects.get(ticket=ticket)
    assert rating.agent == desk.alice
    assert rating.team == desk.team
    with time_machine.travel(SOLVED + timedelta(hours=23), tick=False):
        call_command("worker", burst=True)
    assert not [m for m in mail.outbox if "¿Cómo" in m.subject or "atendimos" in m.body]
    with time_machine.travel(SOLVED + timedelta(hours=25), tick=False):
        call_command("worker", burst=True)
    [question] = [
        m for m in mail.outbox if m.extra_headers.get("Auto-Submitted") == "auto-generated"
    ]
    assert "satisfecho" in question.subject or "satisfecho" in question.body
    assert question.to == ["lucia@example.net"]
    links = re.findall(r"http://\S+/help/rate/\S+\?score=\d", question.body)
    assert len(links) == 5
    # A later reassignment does not move the rating to someone who did not do the work.
    do_assign_ticket(ticket, desk.bob, desk.manager)
    path = links[4].split("://", 1)[1].split("/", 1)[1]
    answered_at = time_machine.travel(SOLVED + timedelta(days=2), tick=False)
    answered_at.start()  # the customer answers the next day, while the link is fresh
    page = client.get("/" + path)
    assert page.status_code == 200
    assert TicketRating.objects.get(pk=rating.pk).score is None  # a GET records nothing
    client.post("/" + path.split("?")[0], {"score": "5"})
    client.post("/" + path.split("?")[0], {"score": "5", "comment": "Muy amables"})
    answered_at.stop()
    rating.refresh_from_db()
    assert (rating.score, rating.comment, rating.agent) == (5, "Muy amables", desk.alice)
    values = sorted(
        (a.question.key, a.value, a.text) for a in Answer.objects.filter(response=rating.response)
    )
    assert values == [("comment", None, "Muy amables"), ("treated", 5, "")]
    assert rating.follow_up is None


def test_a_bad_rating_opens_a_follow_up_for_the_manager(desk):
    ticket = _solved_ticket(desk)
    rating = TicketRating.objects.get(ticket=ticket)
    do_rate_ticket(rating, 1)
    do_rate_ticket(rating, None, "Nadie me escuchó")
    rating.refresh_from_db()
    follow_up = rating.follow_up
    assert follow_up.parent == ticket
    assert follow_up.assignee == desk.manager
    assert follow_up.channel == Ticket.Channel.FOLLOW_UP
    assert "Nadie me escuchó" in follow_up.messages.get().body
    assert Ticket.objects.filter(channel="follow_up").count() == 1  # once per rating


def test_a_customer_without_consent_is_not_asked(desk):
    desk.customer.contact_consent = False
    desk.customer.save()
    _solved_ticket(desk)
    with time_machine.travel(SOLVED + timedelta(days=2), tick=False):
        call_command("worker", burst=True)
    assert TicketRating.objects.get().status == TicketRating.Status.SKIPPED


def test_a_comment_sent_with_the_same_score_is_not_a_second_rating(desk):
    ticket = _solved_ticket(desk)
    rating = TicketRating.objects.get(ticket=ticket)
    do_rate_ticket(rating, 4)
    do_rate_ticket(rating, 4, "Amables")  # the rating page posts the score with the comment
    rated = ticket.events.filter(kind=TicketEvent.Kind.RATED)
    assert [(e.old, e.new) for e in rated] == [("", "4")]
