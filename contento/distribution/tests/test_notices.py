"""A rule may only notify: the team's members find the answer in their inbox, emailed at once
or in one daily digest, once per member and response."""

import pytest
from django.core import mail
from django.urls import reverse

from contento.accounts.models import Membership
from contento.accounts.roles import Role
from contento.customers.actions import do_create_customer
from contento.distribution import loop, notices, tasks
from contento.distribution.models import FollowUpCase, FollowUpRule, Notice
from contento.support.models import Team
from contento.surveys.actions import do_submit_response


@pytest.fixture
def team(personas):
    team = Team.objects.create(organization=personas.org, name="Key accounts")
    team.members.add(Membership.objects.get(user=personas.members[Role.AGENT]))
    return team


def _answer(survey, customer, nps):
    answers = {"nps": nps, **({"fix": "x"} if nps <= 6 else {})}
    return do_submit_response(survey, answers=answers, customer=customer)[0]


def test_a_notify_rule_tells_the_team_at_once_and_once(
    personas, live_survey, team, django_capture_on_commit_callbacks
):
    FollowUpRule.objects.create(
        organization=personas.org, name="Tell", team=team, action="notify", notify="now",
        condition=loop.clean_condition({"kind": "score", "question": "nps", "max": 8}),
    )  # fmt: skip
    ana = do_create_customer(personas.org, name="Ana", email="ana@example.net")
    with django_capture_on_commit_callbacks() as queued:
        response = _answer(live_survey, ana, 7)
    notice = Notice.objects.get()
    assert notice.membership.user == personas.members[Role.AGENT]
    assert not FollowUpCase.objects.exists()  # only notified
    assert queued
    assert tasks.send_notice.call(str(notice.code)) == "sent"
    assert tasks.send_notice.call(str(notice.code)) == "skipped"
    (message,) = mail.outbox
    assert message.to == [personas.members[Role.AGENT].email]
    assert "Ana: NPS 7" in message.subject
    loop.evaluate(response)  # evaluated again: nobody is told twice
    assert Notice.objects.count() == 1


def test_a_digest_rule_mails_once_a_day_and_a_case_rule_still_opens_its_case(personas, live_survey):
    FollowUpRule.objects.create(
        organization=personas.org, name="Digest", action="notify", notify="digest",
        condition=loop.clean_condition({"kind": "score", "question": "nps", "max": 10}),
    )  # fmt: skip
    FollowUpRule.objects.create(
        organization=personas.org, name="Case",
        condition=loop.clean_condition({"kind": "score", "question": "nps", "max": 6}),
    )  # fmt: skip
    ana = do_create_customer(personas.org, name="Ana", email="ana@example.net")
    ben = do_create_customer(personas.org, name="Ben", email="ben@example.net")
    _answer(live_survey, ana, 3)
    _answer(live_survey, ben, 9)
    assert FollowUpCase.objects.get().customer == ana
    # Without a team: the workspace's owners and managers, two answers each.
    assert Notice.objects.count() == 4
    assert mail.outbox == []
    assert notices.send_digests() == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [personas.owner.email, personas.members[Role.MANAGER].email]
    )
    assert all(m.subject == "2 answers to know about" for m in mail.outbox)
    assert notices.send_digests() == 0


def test_the_inbox_shows_a_members_own_notices_and_marks_them_read(personas, live_survey, team):
    FollowUpRule.objects.create(
        organization=personas.org, name="Tell", team=team, action="notify", notify="digest",
        condition=loop.clean_condition({"kind": "angry"}),
    )  # fmt: skip
    ana = do_create_customer(personas.org, name="Ana", email="ana@example.net")
    response = _answer(live_survey, ana, 9)
    response.answers.filter(question__key="nps").update(angry=True)
    loop.evaluate(response)
    agent = personas.client(Role.AGENT)
    page = agent.get(reverse("campaigns:inbox")).content.decode()
    assert "Ana: an angry comment" in page and "New" in page
    assert "Ana" not in personas.client(Role.OWNER).get(reverse("campaigns:inbox")).content.decode()
    agent.post(reverse("campaigns:inbox"))
    assert Notice.objects.get().read_at is not None
    assert notices.send_digests() == 0  # read already: no digest
    assert personas.client().get(reverse("campaigns:inbox")).status_code == 302
