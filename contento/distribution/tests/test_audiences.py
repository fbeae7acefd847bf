"""Audiences select customers by who they are and what they did, joined by all or any."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from contento.customers.actions import do_create_customer
from contento.customers.models import Company, Product, Purchase, Subscription
from contento.distribution.audiences import clean_conditions, describe, select
from contento.support.models import Ticket
from contento.surveys.models import Response

NOW = dt.datetime(2026, 6, 15, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def people(personas, survey):
    org = personas.org
    ana = do_create_customer(org, name="Ana", email="ana@example.net", language="es")
    ben = do_create_customer(org, name="Ben", email="ben@example.net", language="en")
    cy = do_create_customer(org, name="Cy", email="cy@example.net", language="vi")
    ana.attributes = {"plan": "pro"}
    ana.company = Company.objects.create(organization=org, name="Lumière SA")
    ana.save()
    ben.attributes = {"plan": "basic"}
    ben.save()
    router = Product.objects.create(organization=org, name="Router X")
    Purchase.objects.create(
        organization=org, customer=ana, product=router, purchased_at=NOW - dt.timedelta(days=10)
    )
    Purchase.objects.create(
        organization=org, customer=ben, product=router, purchased_at=NOW - dt.timedelta(days=400)
    )
    Subscription.objects.create(
        organization=org, customer=cy, product=router, status="active", started_on=NOW.date()
    )
    Response.objects.create(
        survey=survey,
        customer=ben,
        language="en",
        status=Response.Status.COMPLETE,
        completed_at=NOW - dt.timedelta(days=5),
    )
    Ticket.objects.create(
        organization=org,
        customer=cy,
        subject="Slow",
        channel="email",
        created_at=NOW - dt.timedelta(days=3),
    )
    # Another workspace's customer who would meet every condition is never selected.
    do_create_customer(personas.other_org, name="Ana", email="ana@example.net", language="es")
    return {"ana": ana, "ben": ben, "cy": cy}


def _names(personas, conditions, match="all"):
    chosen = select(personas.org, clean_conditions(conditions), match, now=NOW)
    return sorted(c.name for c in chosen)


@pytest.mark.parametrize(
    "conditions, expected",
    [
        ([], ["Ana", "Ben", "Cy"]),
        ([{"field": "language", "op": "is", "value": "es"}], ["Ana"]),
        ([{"field": "language", "op": "is_not", "value": "es"}], ["Ben", "Cy"]),
        ([{"field": "attribute", "name": "plan", "op": "is", "value": "pro"}], ["Ana"]),
        ([{"field": "company", "op": "is", "value": "lumière sa"}], ["Ana"]),
        ([{"field": "product", "op": "has", "value": "Router X"}], ["Ana", "Ben"]),
        ([{"field": "product", "op": "has", "value": "Router X", "days": 30}], ["Ana"]),
        ([{"field": "product", "op": "has_not", "value": "Router X", "days": 30}], ["Ben", "Cy"]),
        ([{"field": "subscription", "op": "has", "value": "active"}], ["Cy"]),
        ([{"field": "answered", "op": "has", "days": 30}], ["Ben"]),
        ([{"field": "answered", "op": "has_not", "days": 30}], ["Ana", "Cy"]),
        ([{"field": "tickets", "op": "has", "days": 7}], ["Cy"]),
        ([{"field": "consent", "op": "is", "value": "yes"}], ["Ana", "Ben", "Cy"]),
    ],
)
def test_each_condition_selects_its_customers(personas, people, conditions, expected):
    assert _names(personas, conditions) == expected


def test_conditions_are_joined_by_all_or_any(personas, people):
    conditions = [
        {"field": "language", "op": "is", "value": "es"},
        {"field": "tickets", "op": "has", "days": 7},
    ]
    assert _names(personas, conditions, "all") == []
    assert _names(personas, conditions, "any") == ["Ana", "Cy"]


def test_an_erased_customer_is_never_selected(personas, people):
    people["ana"].erased_at = timezone.now()
    people["ana"].save()
    assert _names(personas, []) == ["Ben", "Cy"]


@pytest.mark.parametrize(
    "condition, message",
    [
        ({"field": "age"}, "unknown field"),
        ({"field": "language", "op": "has", "value": "es"}, "does not apply"),
        ({"field": "language", "op": "is", "value": "xx"}, "choose a language"),
        ({"field": "attribute", "name": "pl an", "value": "x"}, "letters, digits"),
        ({"field": "answered", "op": "has"}, "number of days"),
        ({"field": "tickets", "op": "has", "days": "many"}, "whole number"),
        ({"field": "product", "op": "has", "value": ""}, "give a value"),
    ],
)
def test_a_wrong_condition_is_refused_saying_which_and_why(condition, message):
    with pytest.raises(ValidationError, match=f"Condition 2: .*{message}"):
        clean_conditions([{"field": "language", "op": "is", "value": "en"}, condition])


def test_a_condition_reads_in_words():
    assert describe({"field": "answered", "op": "has_not", "days": 90}) == (
        "answered no survey in the last 90 days"
    )
    assert describe({"field": "product", "op": "has", "value": "Router X", "days": 30}) == (
        "bought Router X in the last 30 days"
    )


def test_those_who_wrote_about_a_theme_hear_what_changed(personas, people, survey):
    from contento.surveys.models import Answer, SurveyTheme

    delivery = SurveyTheme.objects.create(survey=survey, label="Delivery times")
    response = Response.objects.filter(customer=people["ben"]).get()
    question = survey.questions.get(key="why")
    Answer.objects.create(
        response=response,
        survey=survey,
        question=question,
        text="Always late.",
        language="en",
        answered_at=NOW - dt.timedelta(days=5),
        theme=delivery,
    )
    theme = {"field": "theme", "op": "has", "value": "delivery times"}
    assert _names(personas, [theme]) == ["Ben"]
    assert _names(personas, [{**theme, "days": 3}]) == []
    assert _names(personas, [{**theme, "op": "has_not"}]) == ["Ana", "Cy"]
    assert describe(clean_conditions([theme])[0]) == "wrote about delivery times"
