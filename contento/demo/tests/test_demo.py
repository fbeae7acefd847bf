"""The demo command fills an empty workspace with surveys, customers and a working desk."""

import pytest
from django.core.management import CommandError, call_command

from contento.accounts.roles import Role
from contento.customers.models import Subscription
from contento.insights.loyalty import analyse, sources
from contento.insights.slices import attribute_keys, by_slice
from contento.support.models import Ticket, TicketRating


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
