"""The themes page and the promoter/detractor keyword comparison, on answers whose analysis is
set directly (the background analysis itself is tested in surveys)."""

from datetime import datetime

import pytest
from django.utils import timezone

from contento.accounts.roles import Role
from contento.insights.comments import keyword_comparison, theme_report
from contento.surveys.actions import do_create_survey, do_submit_response
from contento.surveys.models import Answer, SurveyTheme

DETRACTORS = [
    "the delivery was late and the parcel arrived broken",
    "late delivery, broken parcel, nobody answered",
    "delivery late again and support never answered",
    "parcel broken, delivery late",
]
PROMOTERS = [
    "friendly staff and fast checkout",
    "fast checkout, friendly staff, good prices",
    "staff were friendly and prices good",
    "good prices and fast service",
]


def _respond(survey, nps, text, when, language="en"):
    response, _new = do_submit_response(
        survey,
        answers={"nps": nps, "why": text, "fix": "x"} if nps <= 6 else {"nps": nps, "why": text},
        at=when,
    )
    Answer.objects.filter(response=response, question__key="why").update(text_language=language)
    return response


@pytest.fixture
def commented(live_survey):
    march = timezone.make_aware(datetime(2026, 3, 10, 12))
    april = timezone.make_aware(datetime(2026, 4, 10, 12))
    for text in DETRACTORS:
        _respond(live_survey, 2, text, march)
    for text in PROMOTERS:
        _respond(live_survey, 10, text, april)
    _respond(live_survey, 3, "el envío llegó tarde y roto", april, language="es")
    delivery = SurveyTheme.objects.create(
        survey=live_survey,
        position=0,
        label="delivery late parcel",
        labels={"en": "delivery late parcel", "es": "envío tarde"},
        size=5,
        share=5 / 9,
        sentiment=-0.7,
        examples=[DETRACTORS[0]],
    )
    staff = SurveyTheme.objects.create(
        survey=live_survey, position=1, label="friendly staff", size=4, share=4 / 9, sentiment=0.8
    )
    why = Answer.objects.filter(survey=live_survey, question__key="why")
    why.filter(text__in=[*DETRACTORS, "el envío llegó tarde y roto"]).update(theme=delivery)
    why.filter(text__in=PROMOTERS).update(theme=staff)
    return live_survey, delivery, staff


def test_theme_report_counts_themes_per_month(commented):
    survey, delivery, staff = commented
    report = theme_report(survey)
    assert [m.month for m in report.months] == [3, 4]
    assert report.comments == 9
    first, second = report.themes
    assert (first.theme, first.size, second.theme, second.size) == (delivery, 5, staff, 4)
    assert first.shares == [1.0, pytest.approx(1 / 5)]  # March: all delivery; April: 1 of 5
    april = timezone.make_aware(datetime(2026, 4, 1))
    only_april = theme_report(survey, since=april)
    assert only_april.comments == 5
    assert only_april.themes[0].theme == staff


def test_keywords_set_detractors_apart_from_promoters(commented):
    survey, _delivery, _staff = commented
    comparison = keyword_comparison(survey)
    assert comparison.language == "en"
    assert comparison.languages == ["en", "es"]
    assert (comparison.detractors, comparison.promoters) == (4, 4)
    detractor_terms = {k.term for k in comparison.detractor_terms}
    promoter_terms = {k.term for k in comparison.promoter_terms}
    assert {"delivery", "late"} <= detractor_terms
    assert "friendly" in promoter_terms
    assert not detractor_terms & promoter_terms
    spanish = keyword_comparison(survey, language="es")
    assert spanish.language == "es"
    assert spanish.detractors == 1
    assert spanish.promoters == 0
    assert spanish.detractor_terms == []  # nothing to compare against


def test_a_survey_without_nps_has_no_comparison(personas):

    survey = do_create_survey(
        personas.org,
        {
            "format": "contento.survey/1",
            "default_language": "en",
            "title": {"en": "CSAT only"},
            "questions": [{"key": "csat", "type": "csat", "text": {"en": "Satisfied?"}}],
        },
    )
    assert keyword_comparison(survey) is None


def test_the_themes_page(commented, personas, django_assert_max_num_queries):
    survey, delivery, _staff = commented
    SurveyTheme.objects.filter(pk=delivery.pk).update(examples=["<script>alert(1)</script>"])
    url = f"/insights/surveys/{survey.code}/themes/"
    client = personas.client(Role.ANALYST)
    with django_assert_max_num_queries(20):
        response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "delivery late parcel" in page
    assert "friendly staff" in page
    assert f'data-theme="{delivery.code}"' in page
    # Five of the nine comments with a theme, with the share's Wilson interval.
    from contento.stats import proportion

    share = proportion(5, 9)
    assert (
        f'56 % <span class="muted">({100 * share.lower:.0f}–{100 * share.upper:.0f}, n=5)' in page
    )
    assert "<svg" in page
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;" in page
    detractor_table = page.split('id="detractor-terms"')[1].split("</table>")[0]
    assert "delivery" in detractor_table
    assert "friendly" not in detractor_table
    assert "Refresh themes" not in page  # analysts read; managers may recompute

    april = client.get(url, {"since": "2026-04-01"}).content.decode()
    assert "1 comments" not in april
    assert "5 comments with a theme" in april
    bad = client.get(url, {"since": "2026-05-01", "until": "2026-04-01"})
    assert bad.status_code == 200
    assert "The start date is after the end date." in bad.content.decode()
    assert "Refresh themes" in personas.client(Role.MANAGER).get(url).content.decode()


def test_the_themes_page_refuses_outsiders(commented, personas):
    survey, _delivery, _staff = commented
    url = f"/insights/surveys/{survey.code}/themes/"
    assert personas.client(Role.AGENT).get(url).status_code == 403
    assert personas.client(personas.outsider).get(url).status_code == 404
    assert personas.client().get(url).status_code == 302


def test_tracked_themes_have_their_share_interval_months_and_quotes(commented, personas):
    from contento.insights.comments import tracked_report
    from contento.stats import proportion
    from contento.surveys.models import AnswerTheme, TrackedTheme

    survey, _delivery, _staff = commented
    why = Answer.objects.filter(survey=survey, question__key="why")
    why.update(analysis={"model_version": "t"})  # all nine read: the denominator
    late = TrackedTheme.objects.create(
        organization=personas.org,
        names={"en": "Late delivery", "es": "Entrega tardía"},
        keywords={"en": ["late"], "es": ["tarde"]},
    )
    TrackedTheme.objects.create(organization=personas.org, names={"en": "Unused"})
    TrackedTheme.objects.create(
        organization=personas.org, names={"en": "Withdrawn"}, is_active=False
    )
    for answer in why.filter(text__in=[*DETRACTORS[:3], "el envío llegó tarde y roto"]):
        AnswerTheme.objects.create(
            answer=answer, theme=late, confidence=0.9, sentence=answer.text, sentiment_score=-0.5
        )
    report = tracked_report(survey, "es")
    assert report.comments == 9
    assert [m.month for m in report.months] == [3, 4]
    row = report.rows[0]
    assert (row.name, row.n, row.sentiment, row.tone) == ("Entrega tardía", 4, -0.5, "negative")
    assert row.share == proportion(4, 9)
    # March: 3 of its 4 comments; April: 1 of its 5.
    assert row.months == (proportion(3, 4), proportion(1, 5))
    assert [r.name for r in report.rows] == ["Entrega tardía", "Unused"]  # not the withdrawn
    before, word, after = row.quotes[0]
    assert word.lower() in ("late", "tarde") and (before + word + after) in [
        *DETRACTORS,
        "el envío llegó tarde y roto",
    ]

    page = personas.client(Role.ANALYST).get(f"/insights/surveys/{survey.code}/themes/")
    body = page.content.decode()
    assert "Themes you track" in body and "Late delivery" in body
    assert "<mark>late</mark>" in body or "<mark>tarde</mark>" in body
