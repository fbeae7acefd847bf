"""Rules turn one unhappy response into one follow-up case for the right team, due in its
business hours; the outcome says whether the loop was closed."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from contento.accounts.roles import Role
from contento.customers.actions import do_create_customer
from contento.distribution import loop
from contento.distribution.models import FollowUpCase, FollowUpRule
from contento.support.models import Team, Ticket
from contento.support.ratings import rating_survey
from contento.surveys.actions import do_submit_response
from contento.surveys.models import Answer
from contento.surveys.signals import angry_comments

# Friday 16:00 UTC: 24 business hours of a Monday-Friday 09:00-17:00 team end on Wednesday.
FRIDAY = dt.datetime(2026, 6, 12, 16, 0, tzinfo=dt.UTC)


@pytest.fixture
def team(personas):
    return Team.objects.create(organization=personas.org, name="Recovery")


@pytest.fixture
def ana(personas):
    return do_create_customer(personas.org, name="Ana Pérez", email="ana@example.net")


def _rule(personas, condition, **fields):
    return FollowUpRule.objects.create(
        organization=personas.org,
        name=fields.pop("name", "Unhappy"),
        condition=loop.clean_condition(condition),
        **fields,
    )


def _answer(survey, customer, **answers):
    if answers.get("nps", 10) <= 6 and survey.questions.filter(key="fix").exists():
        answers.setdefault("fix", "Call back.")  # the survey asks detractors what to fix
    response, _new = do_submit_response(survey, answers=answers, customer=customer)
    return response


def test_a_detractor_opens_one_case_for_the_rules_team_due_in_business_hours(
    personas, live_survey, ana, team
):
    _rule(personas, {"kind": "score", "question": "nps", "max": 6}, team=team, priority="urgent")
    with time_machine.travel(FRIDAY, tick=False):
        response = _answer(live_survey, ana, nps=2, why="Nobody called me back.")
    case = FollowUpCase.objects.get()
    assert (case.response, case.customer, case.reason) == (response, ana, "NPS 2")
    ticket = case.ticket
    assert (ticket.channel, ticket.team, ticket.priority) == ("follow_up", team, "urgent")
    assert "NPS: 2" in ticket.messages.first().body
    assert "Nobody called me back." in ticket.messages.first().body
    assert reverse("campaigns:case", args=[case.code]) in ticket.messages.first().body
    # One business hour on Friday, eight on Monday and Tuesday, the last seven on Wednesday.
    assert case.due_at == dt.datetime(2026, 6, 17, 16, 0, tzinfo=dt.UTC)
    # Evaluated again (the comment found angry later): still one case, one ticket.
    assert loop.evaluate(response) is None
    assert FollowUpCase.objects.count() == 1
    assert Ticket.objects.filter(channel="follow_up").count() == 1


def test_a_promoter_anonymous_or_test_response_opens_nothing(personas, live_survey, ana):
    _rule(personas, {"kind": "score", "question": "nps", "max": 6})
    _answer(live_survey, ana, nps=9)
    _answer(live_survey, None, nps=0)  # anonymous: nobody to follow up
    assert not FollowUpCase.objects.exists()


def test_an_angry_comment_opens_a_case_once_it_is_read(personas, live_survey, ana):
    _rule(personas, {"kind": "angry"})
    response = _answer(live_survey, ana, nps=8, why="This is outrageous, I want my money back!")
    assert not FollowUpCase.objects.exists()  # not read yet
    Answer.objects.filter(response=response, text__startswith="This").update(angry=True)
    angry_comments.send(sender=Answer, response_ids={response.pk})
    assert FollowUpCase.objects.get().reason == "an angry comment"


def test_a_chosen_answer_or_an_attribute_opens_a_case(personas, live_survey, ana):
    _rule(personas, {"kind": "choice", "question": "plan", "choice": "basic"})
    _answer(live_survey, ana, nps=9, plan="pro")
    assert not FollowUpCase.objects.exists()
    _answer(live_survey, ana, nps=9, plan="basic")
    assert FollowUpCase.objects.get().reason == "answered basic to plan"

    vip = do_create_customer(personas.org, name="Vic", email="vic@example.net")
    vip.attributes = {"tier": "gold"}
    vip.save()
    _rule(personas, {"kind": "attribute", "name": "tier", "value": "gold"}, name="Gold")
    _answer(live_survey, vip, nps=10)
    assert FollowUpCase.objects.filter(customer=vip).count() == 1


def test_the_first_active_rule_for_the_survey_wins(personas, live_survey, survey, ana, team):
    _rule(personas, {"kind": "score", "question": "nps", "max": 10}, name="Off", is_active=False)
    other = _rule(personas, {"kind": "score", "question": "nps", "max": 10}, name="Other")
    other.survey = rating_survey(personas.org)
    other.save()
    first = _rule(personas, {"kind": "score", "question": "nps", "max": 6}, name="First", team=team)
    _rule(personas, {"kind": "score", "question": "nps", "max": 8}, name="Second")
    _answer(live_survey, ana, nps=5)
    assert FollowUpCase.objects.get().rule == first


def test_the_desks_rating_survey_is_left_to_its_own_follow_up(personas, ana):
    _rule(personas, {"kind": "score", "question": "csat", "max": 5})
    survey = rating_survey(personas.org)
    survey.status = "live"
    survey.save()
    key = survey.questions.filter(kind="csat").first().key
    _answer(survey, ana, **{key: 1})
    assert not FollowUpCase.objects.exists()


@pytest.mark.parametrize(
    "condition, message",
    [
        ({"kind": "score", "question": "nps", "max": 11}, "between 0 and 10"),
        ({"kind": "score", "question": "csat", "max": 6}, "between 0 and 5"),
        ({"kind": "score", "question": "stars", "max": 1}, "NPS, CSAT or CES"),
        ({"kind": "choice", "question": "plan"}, "answer's key"),
        ({"kind": "weather"}, "unhappy"),
    ],
)
def test_a_wrong_condition_says_why(condition, message):
    with pytest.raises(ValidationError, match=message):
        loop.clean_condition(condition)


def test_the_outcome_closes_the_loop(personas, live_survey, ana):
    _rule(personas, {"kind": "score", "question": "nps", "max": 6})
    _answer(live_survey, ana, nps=1)
    case = FollowUpCase.objects.get()
    with time_machine.travel(FRIDAY, tick=False):
        loop.do_record_outcome(case, {"contacted": "phone"})
    assert (case.contacted_at, case.closed_at, case.closed_the_loop) == (FRIDAY, None, False)
    later = FRIDAY + dt.timedelta(days=1)
    with time_machine.travel(later, tick=False):
        loop.do_record_outcome(
            case, {"resolved": True, "root_cause": "Late delivery", "customer_words": "Thanks"}
        )
    case.refresh_from_db()
    assert (case.contacted_at, case.closed_at, case.closed_the_loop) == (FRIDAY, later, True)
    with pytest.raises(ValidationError):
        loop.do_record_outcome(case, {"contacted": "telepathy"})
    unreachable = FollowUpCase(contacted="unreachable", resolved=True)
    assert not unreachable.closed_the_loop


def test_the_pages_of_rules_and_cases(personas, live_survey, ana, team):
    manager = personas.client(Role.MANAGER)
    saved = manager.post(
        reverse("campaigns:rule_new"),
        {
            "name": "Detractors",
            "survey": str(live_survey.code),
            "kind": "score",
            "question": "nps",
            "max": "6",
            "action": "case",
            "team": str(team.code),
            "priority": "high",
            "due_hours": "8",
            "is_active": "on",
        },
    )
    assert saved.status_code == 302
    rule = FollowUpRule.objects.get()
    assert rule.condition == {"kind": "score", "question": "nps", "max": 6}
    assert "NPS of 6 or less" in manager.get(reverse("campaigns:rules")).content.decode()
    wrong = manager.post(
        reverse("campaigns:rule", args=[rule.code]),
        {"name": "x", "kind": "score", "question": "csat", "max": "9", "priority": "high",
         "due_hours": "8", "action": "case"},
    )  # fmt: skip
    assert "between 0 and 5" in wrong.content.decode()

    _answer(live_survey, ana, nps=3)
    case = FollowUpCase.objects.get()
    agent = personas.client(Role.AGENT)
    assert "Ana Pérez" in agent.get(reverse("campaigns:cases")).content.decode()
    page = reverse("campaigns:case", args=[case.code])
    assert "NPS 3" in agent.get(page).content.decode()
    agent.post(page, {"contacted": "phone", "resolved": "on", "root_cause": "Billing"})
    case.refresh_from_db()
    assert case.closed_the_loop

    assert personas.client(Role.ANALYST).post(page, {"contacted": ""}).status_code == 403
    assert personas.client(Role.AGENT).get(reverse("campaigns:rules")).status_code == 403
    outsider = personas.client(personas.outsider)
    assert outsider.get(page).status_code == 404
    assert outsider.get(reverse("campaigns:rule", args=[rule.code])).status_code == 404
