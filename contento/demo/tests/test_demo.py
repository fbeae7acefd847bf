"""The demo command fills an empty workspace with surveys, customers and a working desk."""

import pytest
from django.core.management import CommandError, call_command

from contento.accounts.roles import Role
from contento.customers.attributes import attribute_keys
from contento.customers.models import Subscription
from contento.demo.desk import subject_of
from contento.insights.loyalty import analyse, sources
from contento.insights.slices import by_slice
from contento.support.models import CannedReply, Ticket, TicketRating


def test_demo_fills_the_desk_too(personas):
    call_command("demo", workspace=str(personas.org.code), customers=40)
    org = personas.org
    assert Subscription.objects.filter(organization=org).count() == 40
    tickets = Ticket.objects.filter(organization=org).exclude(channel="follow_up")
    assert tickets.count() == 80
    # Bad ratings opened follow-ups for the manager.
    bad = TicketRating.objects.filter(organization=org, score__lte=2).count()
    assert Ticket.objects.filter(organization=org, channel="follow_up").count() == bad
    assert tickets.filter(status="solved").exists()
    assert tickets.filter(status="new").exists()
    assert set(tickets.values_list("language", flat=True)) <= {"en", "es", "fr", "ru", "vi", "id"}
    assert TicketRating.objects.filter(organization=org, score__isnull=False).exists()
    assert tickets.exclude(first_response_due_at=None).exists()  # the SLA runs
    with pytest.raises(CommandError):
        call_command("demo", workspace=str(org.code))  # only into an empty workspace


def test_demo_satisfaction_goes_with_renewals_and_revenue(personas):
    from django.urls import reverse

    call_command("demo", workspace=str(personas.org.code), customers=150)
    question = sources(personas.org)[0]
    assert (question.survey.title, question.kind) == ("How are we doing?", "nps")
    for outcome in ("renewal", "repurchase"):
        result = analyse(question, outcome, 90)
        assert result.n > 60, outcome
        assert result.fit is not None, outcome
        assert result.fit.odds_ratio_lower > 1, outcome  # more satisfied, more loyal
    revenue = analyse(question, "repurchase", 90).revenue_by_level
    low = [spend.value for level, spend in revenue.items() if level <= 6]
    high = [spend.value for level, spend in revenue.items() if level >= 9]
    assert sum(high) / len(high) > 2 * sum(low) / len(low)
    body = personas.client(Role.OWNER).get(reverse("insights:loyalty")).content.decode()
    assert 'id="loyalty-rate"' in body
    assert "data-odds-ratio" in body


def test_demo_customers_have_a_plan_that_matters(personas):

    call_command("demo", workspace=str(personas.org.code), customers=300)
    assert attribute_keys(personas.org) == ["country", "plan"]
    plans = {s.label: s for s in by_slice(personas.org, "nps", "attribute:plan")}
    assert set(plans) == {"Basic", "Plus", "Business"}
    assert plans["Business"].figure.value > plans["Basic"].figure.value


def test_the_demo_desk_looks_like_a_working_desk(personas):
    call_command("demo", workspace=str(personas.org.code), customers=40)
    call_command("worker", burst=True)  # the SLA check runs as it would in production
    org = personas.org
    tickets = Ticket.objects.filter(organization=org).exclude(channel="follow_up")
    # Agents answer the tickets; the owner manages.
    assignees = set(tickets.exclude(assignee=None).values_list("assignee__user__name", flat=True))
    assert assignees == {"Priya Natarajan", "Diego Ramos", "Linh Trần"}
    # Most tickets were answered within the SLA; some were not.
    breached = tickets.exclude(sla_breached_at=None).count()
    assert 0 < breached < tickets.count() / 3
    # Canned replies in every language, as the README says.
    replies = CannedReply.objects.filter(organization=org)
    assert replies.count() == 3
    for reply in replies:
        assert set(reply.translations.values_list("language", flat=True)) == {
            "en", "es", "fr", "ru", "vi", "id"
        }  # fmt: skip


@pytest.mark.parametrize(
    ("body", "subject"),
    [
        ("The router overheats. It reboots twice a day.", "The router overheats"),
        ("¿Fibra 1 Giga? El test dice 80.", "¿Fibra 1 Giga?"),
        (
            "Support was polite but it took forty minutes on hold before anyone answered me",
            "Support was polite but it took forty minutes on hold before anyone…",
        ),
    ],
)
def test_demo_subjects_end_at_a_sentence_or_a_word(body, subject):
    assert subject_of(body) == subject


def test_the_demo_comments_fall_into_several_themes_none_holding_half():
    """The demo's comments, grouped by the real text model as the worker groups them: several
    themes of sensible sizes, no catch-all."""
    from contento.demo.corpus import COMMENTS
    from contento.text import themes

    texts = [t for by_sentiment in COMMENTS.values() for ts in by_sentiment.values() for t in ts]
    found = themes(texts)
    assert len(found) >= 4
    assert max(theme.share for theme in found) <= 0.5
    assert sum(theme.size for theme in found) == len(texts)
