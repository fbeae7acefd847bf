"""The themes page of the demo survey fits the screen at 1280 px and on a phone: the page
never scrolls sideways (its wide tables scroll within themselves), and the tracked themes show
their share with an interval and quotes with the theme's words marked."""

import itertools
import re

import pytest
from django.core.management import call_command

from conftest import PASSWORD
from contento.surveys import tracked
from contento.surveys.models import Answer, AnswerTheme, Survey, SurveyTheme

pytestmark = [pytest.mark.browser]

OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


def _themes_for(survey):
    """Track the telecom starter themes and assign the demo's comments to them round robin
    (the real assignment is measured by bench/text_themes.py; this is about the page)."""
    themes = tracked.do_import_starter(survey.organization, "telecom")
    comments = list(
        Answer.objects.filter(survey=survey, question__kind="text").exclude(text="")[:120]
    )
    Answer.objects.filter(pk__in=[a.pk for a in comments]).update(
        analysis={"model_version": "browser-test"}
    )
    words = {t.pk: (t.keywords.get("en") or ["the"])[0] for t in themes}
    AnswerTheme.objects.bulk_create(
        AnswerTheme(
            answer=answer,
            theme=theme,
            confidence=0.8,
            sentence=f"{answer.text} {words[theme.pk]} " * 3,
            sentiment_score=-0.3,
        )
        for answer, theme in zip(comments, itertools.cycle(themes), strict=False)
    )
    SurveyTheme.objects.create(
        survey=survey,
        label="a rather long discovered label, with several words, and more",
        size=40,
        share=0.3,
        examples=["x" * 300],
    )


def test_the_themes_page_fits_a_laptop_and_a_phone(transactional_db, live_server, personas, page):
    call_command("demo", workspace=str(personas.org.code))
    survey = Survey.objects.filter(organization=personas.org, title="How are we doing?").first()
    _themes_for(survey)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email address").fill(personas.owner.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/surveys/$"))
    url = f"{live_server.url}/insights/surveys/{survey.code}/themes/"
    for width, height in ((1280, 800), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(url)
        table = page.locator("#tracked-themes")
        table.wait_for()
        assert table.locator("tbody tr").count() >= 8
        assert table.locator("mark").count() >= 1
        assert re.search(r"\d+ % \(\d+–\d+\)", table.inner_text())
        assert page.evaluate(OVERFLOW) <= 1, f"the page scrolls sideways at {width} px"
