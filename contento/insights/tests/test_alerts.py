"""A significant drop raises one alert and emails the survey's owner once."""

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from contento.insights.actions import do_check_survey_drops
from contento.insights.models import Alert
from contento.insights.tasks import check_recent_drops, send_alert
from contento.surveys.actions import do_submit_response


def _csat(survey, score, days_ago=0):
    do_submit_response(
        survey, answers={"nps": 9, "csat": score}, at=timezone.now() - dt.timedelta(days=days_ago)
    )


@pytest.fixture
def dropping(live_survey):
    for month in range(1, 12):
        for i in range(20):
            _csat(live_survey, 5 if i < 16 else 2, days_ago=31 * month)
    for i in range(20):
        _csat(live_survey, 5 if i < 4 else 1)
    return live_survey


def test_a_drop_raises_one_alert_and_one_email(
    dropping, personas, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        alerts = do_check_survey_drops(dropping)
    assert [a.metric for a in alerts] == ["csat"]
    assert alerts[0].value == pytest.approx(20.0)
    assert alerts[0].lower_limit > 20
    assert len(callbacks) == 1
    assert do_check_survey_drops(dropping) == []  # the same month is not alerted twice
    assert send_alert.call(alerts[0].pk) == "sent"
    assert send_alert.call(alerts[0].pk) == "skipped"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [personas.owner.email]
    assert "CSAT" in message.subject
    assert f"/insights/surveys/{dropping.code}/trend/csat/" in message.body


def test_steady_satisfaction_raises_nothing(live_survey):
    for month in range(0, 12):
        for i in range(10):
            _csat(live_survey, 5 if i < 8 else 2, days_ago=31 * month)
    assert do_check_survey_drops(live_survey) == []
    call_command("checkalerts")
    assert not Alert.objects.exists()


def test_checkalerts_command_finds_the_drop(dropping, capsys):
    call_command("checkalerts")
    assert "1 new alert(s)." in capsys.readouterr().out
    assert Alert.objects.get().metric == "csat"


def test_the_periodic_check_looks_at_surveys_answered_lately(dropping):
    assert check_recent_drops.call() == 1  # the survey with the drop got answers lately
    assert Alert.objects.get().metric == "csat"
    assert check_recent_drops.call() == 0  # checking again raises nothing twice
