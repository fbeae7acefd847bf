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
from contento.distribution.models import FollowUpCase, FollowUpRule, Notice, RootCause
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
    late = loop.do_add_root_cause(personas.org, "  Late   delivery ")
    assert late.name == "Late delivery"
    with pytest.raises(ValidationError):  # a cause outside the workspace's list
        loop.do_record_outcome(case, {"root_cause": "Bad weather"})
    with time_machine.travel(later, tick=False):
        loop.do_record_outcome(
            case, {"resolved": True, "root_cause": "Late delivery", "customer_words": "Thanks"}
        )
    case.refresh_from_db()
    assert (case.contacted_at, case.closed_at, case.closed_the_loop) == (FRIDAY, later, True)
    assert case.root_cause == late
    # Withdrawn from the list, the cause stays on its case.
    loop.do_set_root_cause_offered(late, False)
    case.refresh_from_db()
    assert case.root_cause == late
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

    # The workspace's root causes are kept on the rules page.
    manager.post(reverse("campaigns:root_cause_add"), {"name": "Billing"})
    manager.post(reverse("campaigns:root_cause_add"), {"name": "Old cause"})
    old = RootCause.objects.get(name="Old cause")
    manager.post(reverse("campaigns:root_cause", args=[old.code]), {"offered": "0"})
    rules_page = manager.get(reverse("campaigns:rules")).content.decode()
    assert "Billing" in rules_page and "<s>Old cause</s>" in rules_page
    billing = RootCause.objects.get(name="Billing")

    _answer(live_survey, ana, nps=3)
    case = FollowUpCase.objects.get()
    agent = personas.client(Role.AGENT)
    assert "Ana Pérez" in agent.get(reverse("campaigns:cases")).content.decode()
    page = reverse("campaigns:case", args=[case.code])
    case_page = agent.get(page).content.decode()
    assert "NPS 3" in case_page
    assert f'value="{billing.code}"' in case_page and "Old cause" not in case_page
    refused = agent.post(page, {"contacted": "phone", "root_cause": str(old.code)})
    assert refused.status_code == 200  # a withdrawn cause is not offered
    agent.post(page, {"contacted": "phone", "resolved": "on", "root_cause": str(billing.code)})
    case.refresh_from_db()
    assert case.closed_the_loop and case.root_cause == billing
    # Agents work cases but do not keep the list; outsiders reach nothing.
    assert agent.post(reverse("campaigns:root_cause_add"), {"name": "X"}).status_code == 403
    assert (
        personas.client(personas.outsider)
        .post(reverse("campaigns:root_cause", args=[billing.code]), {"offered": "0"})
        .status_code
        == 404
    )
    assert not RootCause.objects.filter(name="X").exists()
    billing.refresh_from_db()
    assert billing.is_active

    assert personas.client(Role.ANALYST).post(page, {"contacted": ""}).status_code == 403
    assert personas.client(Role.AGENT).get(reverse("campaigns:rules")).status_code == 403
    outsider = personas.client(personas.outsider)
    assert outsider.get(page).status_code == 404
    assert outsider.get(reverse("campaigns:rule", args=[rule.code])).status_code == 404


def test_a_rule_for_the_account_owner_gives_them_the_case_and_the_notice(
    personas, live_survey, ana, team
):
    from contento.customers.actions import do_save_customer

    alice = personas.members[Role.AGENT].memberships.get()
    do_save_customer(personas.org, {"account_owner": alice}, ana)
    ben = do_create_customer(personas.org, name="Ben Ode", email="ben@example.net")
    _rule(
        personas,
        {"kind": "score", "question": "nps", "max": 6},
        team=team,
        route=FollowUpRule.Route.OWNER,
    )
    _answer(live_survey, ana, nps=2)
    _answer(live_survey, ben, nps=2)
    for_ana = FollowUpCase.objects.get(customer=ana).ticket
    assert (for_ana.team, for_ana.assignee) == (team, alice)
    # A customer without an account owner goes to the team alone.
    assert FollowUpCase.objects.get(customer=ben).ticket.assignee is None

    _rule(
        personas,
        {"kind": "score", "question": "nps", "max": 6},
        action=FollowUpRule.Action.NOTIFY,
        route=FollowUpRule.Route.OWNER,
        name="Tell the owner",
    )
    _answer(live_survey, ana, nps=1)
    assert list(Notice.objects.values_list("membership", flat=True)) == [alice.pk]


def test_an_account_owner_must_be_a_member_of_the_workspace(personas, ana):
    from contento.accounts.actions import do_create_organization, do_create_user
    from contento.customers.actions import do_save_customer

    stranger = do_create_user(email="s@else.test", password="x" * 12, name="S")
    other = do_create_organization(name="Else", owner=stranger)
    with pytest.raises(ValidationError):
        do_save_customer(personas.org, {"account_owner": other.memberships.get()}, ana)
