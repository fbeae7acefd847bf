"""A survey's insight pages are linked from its dashboard, which knows nothing of insights."""

import re

from django.urls import reverse

from contento.accounts.roles import Role
from contento.surveys.actions import do_create_survey


def test_the_dashboard_links_the_survey_s_insight_pages(personas, live_survey):
    url = reverse("surveys:dashboard", args=[live_survey.code])
    body = personas.client(Role.ANALYST).get(url).content.decode()
    links = [
        reverse("insights:survey_trend", args=[live_survey.code, "nps"]),
        reverse("insights:drivers", args=[live_survey.code]),
        reverse("insights:themes", args=[live_survey.code]),
        reverse("insights:gaps", args=[live_survey.code]),  # it has an expectation question
    ]
    assert [link for link in links if f'href="{link}"' not in body] == []


def test_the_dashboard_offers_kano_only_with_kano_questions(personas, live_survey):
    url = reverse("surveys:dashboard", args=[live_survey.code])
    body = personas.client(Role.ANALYST).get(url).content.decode()
    assert reverse("insights:kano", args=[live_survey.code]) not in body


def test_the_dashboard_does_not_link_to_itself(personas, live_survey):
    url = reverse("surveys:dashboard", args=[live_survey.code])
    body = personas.client(Role.ANALYST).get(url).content.decode()
    assert "← Dashboard" not in body


def test_an_insight_page_links_back_to_the_dashboard(personas, live_survey):
    url = reverse("insights:drivers", args=[live_survey.code])
    body = personas.client(Role.ANALYST).get(url).content.decode()
    dashboard = reverse("surveys:dashboard", args=[live_survey.code])
    assert f'<a href="{dashboard}">← Dashboard</a>' in body


def test_an_insight_page_names_itself_without_a_link(personas, live_survey):
    url = reverse("insights:drivers", args=[live_survey.code])
    body = personas.client(Role.ANALYST).get(url).content.decode()
    assert "<strong>Key drivers</strong>" in body


def test_a_survey_without_special_questions_offers_neither_gaps_nor_kano(personas):
    plain = do_create_survey(
        personas.org, {"title": "Plain", "questions": [{"key": "n", "type": "nps", "text": "?"}]}
    )
    body = personas.client(Role.OWNER).get(reverse("surveys:dashboard", args=[plain.code]))
    offered = re.findall(r'href="([^"]*)"', body.content.decode())
    assert [link for link in offered if link.endswith(("/gaps/", "/kano/"))] == []
