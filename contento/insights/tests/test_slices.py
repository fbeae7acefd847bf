"""The overview's slices: each dimension, its counts, and the marks of significant differences."""

import datetime as dt
import random

import pytest
from django.urls import reverse
from django.utils import timezone

from contento import stats
from contento.accounts.roles import Role
from contento.customers.actions import (
    do_record_purchase,
    do_save_company,
    do_save_customer,
    do_save_product,
    do_save_subscription,
)
from contento.customers.attributes import attribute_keys
from contento.insights.overview import compare
from contento.insights.slices import DIMENSIONS, available, by_slice
from contento.support.actions import ratings as desk_ratings
from contento.support.actions.tickets import do_create_ticket
from contento.support.models import Team
from contento.surveys.actions import do_create_survey, do_set_survey_status, do_submit_response

DEFINITION = {
    "title": "Pulse",
    "default_language": "en",
    "languages": ["en", "es", "fr"],
    "questions": [
        {"key": "nps", "type": "nps", "text": "Recommend?"},
        {"key": "csat", "type": "csat", "text": "Satisfied?"},
        {"key": "ces", "type": "ces", "text": "Easy?"},
    ],
}
GROUP_SIZE = 20


def _scores(rng, happy: bool) -> dict:
    if happy:
        return {"nps": rng.choice([9, 10]), "csat": rng.choice([4, 5]), "ces": rng.choice([6, 7])}
    return {"nps": rng.randint(0, 6), "csat": rng.randint(1, 3), "ces": rng.randint(1, 4)}


class World:
    """Two groups of customers that differ on every customer attribute, and one survey."""


def _world(org, planted: bool) -> World:
    rng = random.Random(7)
    now = timezone.now()
    w = World()
    w.survey = do_set_survey_status(do_create_survey(org, DEFINITION), "live")
    w.router = do_save_product(org, {"name": "Router", "kind": "product"})[0]
    w.modem = do_save_product(org, {"name": "Modem", "kind": "product"})[0]
    w.phone = do_save_product(org, {"name": "Phone", "kind": "product"})[0]
    w.fibre = do_save_product(org, {"name": "Fibre", "kind": "service"})[0]
    w.mobile = do_save_product(org, {"name": "Mobile", "kind": "service"})[0]
    globex = do_save_company(org, {"name": "Globex"})[0]
    initech = do_save_company(org, {"name": "Initech"})[0]
    groups = [
        ("a", globex, "es", "Europe/Madrid", w.router, "store", w.fibre),
        ("b", initech, "fr", "Asia/Jakarta", w.modem, "online", w.mobile),
    ]
    w.answers = 0
    for name, company, language, zone, product, channel, service in groups:
        for i in range(GROUP_SIZE):
            customer = do_save_customer(
                org,
                {
                    "name": f"{name}{i}",
                    "email": f"{name}{i}@example.net",
                    "language": language,
                    "timezone": zone,
                    "company": company,
                    "attributes": {"plan": "Basic" if name == "a" else "Pro", "region": "north"},
                },
            )[0]
            answered = now - dt.timedelta(days=5, minutes=i)
            do_record_purchase(
                org,
                {
                    "purchased_at": answered - dt.timedelta(days=10),
                    "amount": 10,
                    "channel": channel,
                },
                customer=customer,
                product=product,
            )
            # Bought after the answer: never what the answer was about.
            do_record_purchase(
                org,
                {"purchased_at": now - dt.timedelta(days=1), "amount": 10, "channel": "partner"},
                customer=customer,
                product=w.phone,
            )
            do_save_subscription(
                org,
                {"started_on": (answered - dt.timedelta(days=100)).date(), "status": "active"},
                customer=customer,
                product=service,
            )
            happy = name == "a" if planted else i % 2 == 0
            do_submit_response(
                w.survey,
                answers=_scores(rng, happy),
                customer=customer,
                language="en" if name == "a" else "es",
                at=answered,
            )
            w.answers += 1
    anonymous = {"nps": 8, "csat": 3, "ces": 4}
    do_submit_response(w.survey, answers=anonymous, language="fr", at=now)
    w.answers += 1
    return w


@pytest.fixture
def planted(personas):
    return _world(personas.org, planted=True)


@pytest.fixture
def even(personas):
    return _world(personas.org, planted=False)


EXPECTED = {  # dimension -> (name of group a's value, of group b's value)
    "language": ("English", "Spanish"),
    "product": ("Router", "Modem"),
    "service": ("Fibre", "Mobile"),
    "channel": ("Store", "Online"),
    "company": ("Globex", "Initech"),
    "customer_language": ("Spanish", "French"),
    "timezone": ("Europe/Madrid", "Asia/Jakarta"),
    "attribute:plan": ("Basic", "Pro"),
}


def _significant(slice_) -> bool:
    return slice_.difference is not None and slice_.difference.significant


def test_each_dimension_marks_the_planted_difference(personas, planted):
    for kind in ("nps", "csat", "ces"):
        for dimension, (name_a, name_b) in EXPECTED.items():
            slices = compare(kind, by_slice(personas.org, kind, dimension))
            by_name = {s.name: s for s in slices}
            a, b = by_name[name_a], by_name[name_b]
            other = by_name["French" if dimension == "language" else "Unknown"]
            assert a.n == b.n == GROUP_SIZE, (kind, dimension)
            assert sum(s.n for s in slices) == planted.answers  # each answer once, anonymous too
            assert other.n == 1
            assert a.difference.better, (kind, dimension)
            assert b.difference.worse, (kind, dimension)
            assert not _significant(other), (kind, dimension)
            assert a.figure.lower <= a.figure.value <= a.figure.upper


def test_no_mark_without_a_difference(personas, even):
    for kind in ("nps", "csat", "ces"):
        for dimension in EXPECTED:
            slices = compare(kind, by_slice(personas.org, kind, dimension))
            assert sum(s.difference is not None for s in slices) >= 2, (kind, dimension)
            assert not any(_significant(s) for s in slices), (kind, dimension)


def test_the_comparison_is_contento_stats_with_benjamini_hochberg(personas, planted):
    slices = compare("csat", by_slice(personas.org, "csat", "company"))
    direct = stats.compare_segments(
        {s.label: (sum(n for v, n in s.counts.items() if v >= 4), s.n) for s in slices},
        measure="rate",
    )
    for result in direct.segments:
        mine = next(s for s in slices if s.label == result.name)
        assert mine.difference.q_value == pytest.approx(result.q_value)
        assert mine.difference.value == pytest.approx(100 * result.difference)


def test_a_date_range_restricts_every_dimension(personas, planted):
    today = timezone.localdate()
    for dimension in ("language", "company"):
        recent = by_slice(personas.org, "nps", dimension, since=today - dt.timedelta(days=1))
        assert sum(s.n for s in recent) == 1  # only the anonymous answer of today
        old = by_slice(personas.org, "nps", dimension, until=today - dt.timedelta(days=1))
        assert sum(s.n for s in old) == 2 * GROUP_SIZE


@pytest.fixture
def support(personas):
    """Two teams, each with its agent: Support (Alice) well rated, Billing (Mark) badly."""
    org = personas.org
    members = {m.user.email: m for m in org.memberships.select_related("user")}
    alice, mark = members["alice@acme.test"], members["mark@acme.test"]
    customer = do_save_customer(org, {"name": "Lucía", "email": "lucia@example.net"})[0]
    teams = {}
    for name, agent in (("Support", alice), ("Billing", mark)):
        team = Team.objects.create(organization=org, name=name, email_address=f"{name}@acme.test")
        team.members.set([agent])
        teams[name] = (team, agent)
    at = timezone.now() - dt.timedelta(days=2)
    for i in range(15):
        for name, score in (("Support", 5 if i % 5 else 4), ("Billing", 1 if i % 3 else 4)):
            team, agent = teams[name]
            ticket = do_create_ticket(
                org, customer=customer, subject="Help", body="?", channel="phone", team=team, at=at
            )
            desk_ratings.do_record_conversation_rating(ticket, agent, score, at=at)
    return teams


def test_teams_and_agents_from_ticket_ratings(personas, support):
    teams = {s.name: s for s in compare("csat", by_slice(personas.org, "csat", "team"))}
    assert teams["Support"].n == teams["Billing"].n == 15
    assert teams["Support"].figure.value == pytest.approx(100.0)
    assert teams["Billing"].figure.value == pytest.approx(100 * 5 / 15)
    assert teams["Support"].difference.better
    assert teams["Billing"].difference.worse
    agents = {s.name: s for s in by_slice(personas.org, "csat", "agent")}
    assert set(agents) == {"Alice", "Mark"}
    assert agents["Mark"].n == 15
    with pytest.raises(ValueError):
        by_slice(personas.org, "nps", "agent")  # support is rated on CSAT only


def test_the_page_shows_each_slice(personas, planted, support):
    client = personas.client(Role.ANALYST)
    for dimension in DIMENSIONS:
        body = client.get(reverse("insights:metric", args=["csat"]), {"slice": dimension})
        text = body.content.decode()
        assert body.status_code == 200
        assert f'id="by-{dimension}"' in text
        assert 'data-significant="higher"' in text
        assert 'data-significant="lower"' in text
    nps_by_team = client.get(reverse("insights:overview"), {"slice": "team"}).content.decode()
    assert 'id="slice-unavailable"' in nps_by_team
    assert "slice=team" in nps_by_team


def test_slice_download(personas, planted):
    client = personas.client(Role.OWNER)
    reply = client.get(
        reverse("insights:metric", args=["csat"]),
        {"slice": "company", "download": "csv", "chart": "slice"},
    )
    lines = reply.content.decode("utf-8-sig").splitlines()
    assert 'filename="csat-by-company.csv"' in reply["Content-Disposition"]
    assert lines[0].startswith("company,value,lower,upper,n,difference,q,significant,name")
    assert any(line.endswith(",True,Globex") for line in lines)


def test_outsiders_see_nothing_of_the_workspace(personas, planted, support):
    outsider = personas.client(personas.outsider)
    for dimension in DIMENSIONS:
        body = outsider.get(reverse("insights:metric", args=["csat"]), {"slice": dimension})
        assert body.status_code == 200
        assert "No answers yet." in body.content.decode()
        assert "Globex" not in body.content.decode()
    trend = reverse("insights:survey_trend", args=[planted.survey.code, "csat"])
    assert outsider.get(trend, {"slice": "company"}).status_code == 404
    assert personas.client(Role.AGENT).get(reverse("insights:overview")).status_code == 403


# Queries of an overview page: session, user, membership, the names of the customer
# attributes in use, the monthly counts of the trend, the slice's one grouped query, the
# weekly-report subscription; product and service names are one more (products are looked
# up by the ids the grouped query found).
@pytest.mark.parametrize(
    ("dimension", "queries"),
    [
        ("language", 7),
        ("company", 7),
        ("customer_language", 7),
        ("timezone", 7),
        ("channel", 7),
        ("product", 8),
        ("service", 8),
        ("team", 7),
        ("agent", 7),
        ("attribute:plan", 7),
    ],
)
def test_slice_query_counts_are_pinned(
    personas, planted, support, django_assert_num_queries, dimension, queries
):
    client = personas.client(Role.OWNER)
    url = reverse("insights:metric", args=["csat"])
    client.get(url)  # the session and the workspace are warm
    with django_assert_num_queries(queries):
        client.get(url, {"slice": dimension})
    _world_more(personas.org, planted)
    with django_assert_num_queries(queries):
        client.get(url, {"slice": dimension})


def test_any_customer_attribute_is_a_dimension(personas, planted):
    assert attribute_keys(personas.org) == ["plan", "region"]
    assert attribute_keys(personas.other_org) == []
    regions = {s.name: s.n for s in by_slice(personas.org, "nps", "attribute:region")}
    assert regions == {"north": 2 * GROUP_SIZE, "Unknown": 1}
    assert not available("attribute:Bad name", "nps")
    assert not available("attribute:", "nps")
    client = personas.client(Role.ANALYST)
    url = reverse("insights:metric", args=["nps"])
    page = client.get(url, {"slice": "attribute:plan"}).content.decode()
    assert 'id="by-attribute:plan"' in page
    assert "Customer attribute “plan”" in page
    assert '<optgroup label="Customer attributes">' in page
    assert 'data-significant="higher"' in page
    assert 'data-significant="lower"' in page
    reply = client.get(url, {"slice": "attribute:plan", "download": "csv", "chart": "slice"})
    assert 'filename="nps-by-attribute-plan.csv"' in reply["Content-Disposition"]
    assert any(line.endswith(",True,Basic") for line in reply.content.decode().splitlines())
    # A name no customer has is refused by the form: the page falls back to the language.
    unknown = client.get(url, {"slice": "attribute:nothing"}).content.decode()
    assert 'id="by-language"' in unknown
    # Another workspace's member sees neither the attribute nor its values.
    outsider = personas.client(personas.outsider).get(url, {"slice": "attribute:plan"})
    text = outsider.content.decode()
    assert outsider.status_code == 200
    assert "Basic" not in text
    assert 'id="by-attribute:plan"' not in text
    assert "Customer attributes" not in text


def _world_more(org, world):
    for i in range(5):
        customer = do_save_customer(org, {"name": f"c{i}", "email": f"c{i}@example.net"})[0]
        do_submit_response(world.survey, answers={"csat": 1 + i % 5}, customer=customer)
