"""Tracked themes: the workspace names what it follows, every comment is assigned to its
themes by meaning when it is read, and again whenever the themes change.

The text model is `contento.text.testing.WordBackend` (hashed bags of words): a comment is
near a theme when it shares its words, which is enough to test the plumbing; the quality of
the real assignment is measured by bench/text_themes.py.
"""

import pytest
from django.urls import reverse

from contento.accounts.models import AuditEvent
from contento.accounts.roles import Role
from contento.surveys import analysis, tasks, tracked
from contento.surveys.actions import do_submit_response
from contento.surveys.models import AnswerTheme, SurveyTheme, TrackedTheme
from contento.text import set_backend
from contento.text.testing import WordBackend

DELIVERY = [
    "delivery was slow and the parcel arrived late",
    "slow delivery again, parcel late by a week",
]
PRICE = [
    "the price is too expensive for this plan",
    "expensive price, I want a cheaper plan",
]


@pytest.fixture
def backend():
    words = WordBackend()
    set_backend(words)
    yield words
    set_backend(None)


@pytest.fixture
def themes(personas):
    delivery = tracked.do_save_tracked_theme(
        personas.org,
        names={"en": "Delivery", "es": "Entrega"},
        examples=["the parcel delivery was late", "slow delivery of my parcel"],
        keywords={"en": ["parcel"]},
    )
    price = tracked.do_save_tracked_theme(
        personas.org,
        names={"en": "Price"},
        examples=["the price is expensive", "a cheaper price plan"],
    )
    return delivery, price


def submit(survey, why):
    return do_submit_response(survey, answers={"nps": 8, "why": why}, language="en")[0]


def assigned(theme) -> set[str]:
    return set(AnswerTheme.objects.filter(theme=theme).values_list("answer__text", flat=True))


def test_the_drain_assigns_each_comment_to_its_themes(backend, live_survey, themes):
    delivery, price = themes
    for why in [*DELIVERY, *PRICE, "hello"]:
        submit(live_survey, why)
    analysis.drain(themes=False)
    assert assigned(delivery) == set(DELIVERY)
    assert assigned(price) == set(PRICE)
    row = AnswerTheme.objects.filter(theme=delivery).first()
    assert 0.5 <= row.confidence <= 1 and row.sentence in DELIVERY
    assert row.sentiment_score is not None and row.sentiment_score < 0  # "slow", "late"


def test_a_changed_taxonomy_reads_every_comment_again(
    backend, live_survey, themes, django_capture_on_commit_callbacks
):
    delivery, price = themes
    for why in [*DELIVERY, *PRICE]:
        submit(live_survey, why)
    analysis.drain(themes=False)
    # Withdrawn, a theme loses its comments at once; the others are read again.
    with django_capture_on_commit_callbacks(execute=True):
        tracked.do_set_tracked_theme_active(price, False)
    assert assigned(price) == set()
    assert tasks.assign_tracked_themes.call(str(delivery.organization.code)) == 4
    assert assigned(delivery) == set(DELIVERY) and assigned(price) == set()
    # Merged: one theme holds both; the other is gone.
    tracked.do_set_tracked_theme_active(price, True)
    kept = tracked.do_merge_tracked_themes(delivery, price)
    tracked.reassign(kept.organization)
    assert not TrackedTheme.objects.filter(pk=price.pk).exists()
    assert "the price is expensive" in kept.examples
    assert assigned(kept) == {*DELIVERY, *PRICE}


def test_a_theme_is_split_by_its_examples(personas, themes):
    delivery, _price = themes
    new = tracked.do_split_tracked_theme(
        delivery, names={"en": "Parcels"}, examples=["slow delivery of my parcel"]
    )
    delivery.refresh_from_db()
    assert delivery.examples == ["the parcel delivery was late"]
    assert (new.names, new.examples) == ({"en": "Parcels"}, ["slow delivery of my parcel"])
    with pytest.raises(Exception, match="not all"):
        tracked.do_split_tracked_theme(
            delivery, names={"en": "X"}, examples=["the parcel delivery was late"]
        )


def test_starter_lists_add_their_themes_once_in_six_languages(personas):
    added = tracked.do_import_starter(personas.org, "telecom")
    assert len(added) >= 8
    assert all(set(t.names) == {"en", "es", "fr", "ru", "vi", "id"} for t in added)
    assert all(t.examples for t in added)
    assert tracked.do_import_starter(personas.org, "telecom") == []  # already there
    with pytest.raises(Exception, match="no such starter"):
        tracked.do_import_starter(personas.org, "spaceflight")


def test_bad_themes_are_refused_with_a_reason(personas):
    with pytest.raises(Exception, match="at least one language"):
        tracked.do_save_tracked_theme(personas.org, names={"en": "  ", "klingon": "x"})
    theme = tracked.do_save_tracked_theme(
        personas.org,
        names={"en": "  Delivery   times "},
        examples=["late", "late", ""],
        keywords={"en": [" Parcel", "parcel", ""], "xx": ["no"]},
    )
    assert (theme.names, theme.examples, theme.keywords) == (
        {"en": "Delivery times"},
        ["late"],
        {"en": ["parcel"]},
    )


def test_the_pages_of_tracked_themes(backend, personas, live_survey):
    manager = personas.client(Role.MANAGER)
    assert manager.get(reverse("surveys:themes")).status_code == 200
    saved = manager.post(
        reverse("surveys:theme_new"),
        {
            "name-en": "Delivery",
            "name-vi": "Giao hàng",
            "examples": "my parcel was late\nslow courier",
            "keywords-en": "parcel, courier",
        },
    )
    assert saved["Location"] == reverse("surveys:themes")
    theme = TrackedTheme.objects.get()
    assert theme.names == {"en": "Delivery", "vi": "Giao hàng"}
    assert theme.keywords == {"en": ["parcel", "courier"]}
    assert AuditEvent.objects.filter(action="theme.saved").exists()
    wrong = manager.post(reverse("surveys:theme_new"), {"examples": "x"})
    assert "at least one language" in wrong.content.decode()
    page = manager.get(reverse("surveys:themes")).content.decode()
    assert "Delivery" in page and "my parcel was late" in page

    manager.post(reverse("surveys:theme_starter"), {"industry": "retail"})
    assert TrackedTheme.objects.filter(origin="starter").count() >= 8

    proposed = SurveyTheme.objects.create(
        survey=live_survey, label="wifi, router", labels={"en": "wifi, router"}, examples=["x"]
    )
    accepted = manager.post(reverse("surveys:theme_accept", args=[proposed.code]))
    new = TrackedTheme.objects.get(origin="discovered")
    assert accepted["Location"] == reverse("surveys:theme", args=[new.code])

    # Analysts read, and change nothing; outsiders see nothing of this workspace.
    analyst = personas.client(Role.ANALYST)
    assert analyst.get(reverse("surveys:themes")).status_code == 200
    assert analyst.get(reverse("surveys:theme", args=[theme.code])).status_code == 403
    assert (
        analyst.post(reverse("surveys:theme_action", args=[theme.code]), {"action": "withdraw"})
    ).status_code == 403
    outsider = personas.client(personas.outsider)
    assert outsider.get(reverse("surveys:theme", args=[theme.code])).status_code == 404
    assert outsider.post(reverse("surveys:theme_accept", args=[proposed.code])).status_code == 404
    assert "Delivery" not in outsider.get(reverse("surveys:themes")).content.decode()
    theme.refresh_from_db()
    assert theme.is_active


def test_erasing_a_customer_blanks_the_sentences_that_carried_their_themes(
    backend, personas, live_survey, themes
):
    from contento.customers.actions import do_create_customer
    from contento.customers.gdpr import do_erase_customer

    delivery, _price = themes
    ana = do_create_customer(personas.org, name="Ana", email="ana@example.net")
    do_submit_response(live_survey, answers={"nps": 8, "why": DELIVERY[0]}, customer=ana)
    analysis.drain(themes=False)
    row = AnswerTheme.objects.get(theme=delivery)
    assert row.sentence == DELIVERY[0]
    do_erase_customer(ana, personas.members[Role.OWNER].memberships.get())
    row.refresh_from_db()
    assert row.sentence == "" and row.answer.text == ""
