"""Open-text answers are read by contento.text in the background; the dashboard filters on it.

The text model is swapped for `contento.text.testing.WordBackend`, which reads sentiment and
anger from a few English words and embeds texts as hashed bags of words: fast and predictable.
Languages are still detected by the real fastText model (it loads in well under a second).
"""

import re

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from contento.accounts.roles import Role
from contento.surveys import analysis, tracked
from contento.surveys.actions import do_submit_response
from contento.surveys.models import Answer, AnswerTheme, SurveyTheme
from contento.text import model_version, set_backend
from contento.text.testing import WordBackend

ANGRY = "I am furious, this is unacceptable and nobody answers"
DELIVERY = [
    "delivery was slow and the parcel arrived late",
    "slow delivery again, parcel late by a week",
    "the parcel delivery is always late and slow",
]
PRICE = [
    "great product, the price is too expensive",
    "price too expensive for what you get, great otherwise",
    "expensive price, cheaper plans would be great",
]


@pytest.fixture
def backend():
    words = WordBackend()
    set_backend(words)
    yield words
    set_backend(None)


def use(backend: WordBackend) -> WordBackend:
    set_backend(backend)
    return backend


def texts(**filters):
    return analysis.text_answers().filter(**filters)


def submit(survey, why: str, *, fix: str | None = None, nps: int = 5, language: str = "en"):
    answers = {"nps": nps, "why": why}
    if nps <= 6:
        answers["fix"] = fix or "nothing"
    return do_submit_response(survey, answers=answers, language=language)[0]


def queued(task_name: str) -> list[dict]:
    """Return the arguments of every queued task with this name, oldest first."""
    return [
        row.args_kwargs
        for row in DBTaskResult.objects.order_by("enqueued_at", "id")
        if row.task_path.endswith(f".{task_name}")
    ]


# Background analysis ---------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_on_sqlite_the_model_reads_with_no_transaction_open(backend, live_survey, monkeypatch):
    # SQLite's one write lock is taken when a transaction begins (IMMEDIATE): the model's
    # seconds inside one held every survey submission and thank-you behind the analysis lane.
    if connection.features.has_select_for_update_skip_locked:
        pytest.skip("PostgreSQL locks only the batch's rows, for the whole batch, by design")
    tracked.do_save_tracked_theme(
        live_survey.organization, names={"en": "Delivery"}, examples=["the parcel was late"]
    )
    for why in DELIVERY:
        submit(live_survey, why, nps=9)
    import contento.text

    in_transaction = []

    def spying(real):
        def spy(*args, **kwargs):
            in_transaction.append(connection.in_atomic_block)
            return real(*args, **kwargs)

        return spy

    for name in ("analyze_many", "assign"):
        monkeypatch.setattr(contento.text, name, spying(getattr(contento.text, name)))
    assert analysis.drain(themes=False) == 3
    assert in_transaction and not any(in_transaction)
    assert not texts(analysis__isnull=True).exists()
    assert AnswerTheme.objects.filter(answer__text__in=DELIVERY).count() == 3


@pytest.mark.django_db(transaction=True)
def test_the_worker_reads_new_answers_after_they_are_saved(backend, live_survey):
    for why in DELIVERY:
        submit(live_survey, why, fix=ANGRY)
    # The public form saves page 1 (with its comment) before the response is complete.
    client = Client()
    page = client.get(reverse("public:open", args=[live_survey.code])).content.decode()
    fields = {
        name: re.search(rf'name="{name}" value="([^"]*)"', page).group(1)
        for name in ("rt", "page", "lang")
    }
    client.post(
        reverse("public:open", args=[live_survey.code]),
        {**fields, "q-nps": "9", "q-why": "great service, I love it"},
    )
    assert texts().count() == 7
    assert not texts(analysis__isnull=False).exists()  # nothing is read in the request
    # Four transactions committed answers: one drain is queued, not four tasks.
    assert len(queued("drain_answers")) == 1

    call_command("worker", burst=True)

    version = model_version()
    for answer in texts():
        assert answer.analysis["model_version"] == version
        assert answer.text_language == "en"
        assert answer.sentiment
    assert set(texts(question__key="fix").values_list("angry", "sentiment")) == {(True, "negative")}
    assert set(texts(text__in=DELIVERY).values_list("angry", "sentiment")) == {(False, "negative")}
    praise = texts(text__startswith="great service").get()
    assert praise.sentiment == "positive"
    assert praise.sentiment_score > 0.5
    assert Answer.objects.filter(question__key="nps", analysis__isnull=False).count() == 0
    # Seven analysed comments are enough for themes: the worker grouped them as well.
    assert SurveyTheme.objects.filter(survey=live_survey).exists()
    assert texts(theme__isnull=False).count() == 7
    assert backend.texts == 5  # the angry comment, given three times, is read once


def test_a_bulk_load_queues_one_drain_and_a_rollback_none(
    backend, live_survey, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        try:
            with transaction.atomic():
                submit(live_survey, "this response is rolled back")
                raise RuntimeError
        except RuntimeError:
            pass
    assert queued("drain_answers") == []  # nothing was saved, nothing to read
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        for i in range(5):
            submit(live_survey, f"comment number {i}")  # "why" and "fix": 10 texts
    with django_capture_on_commit_callbacks(execute=True):
        submit(live_survey, "one more")
    assert len(queued("drain_answers")) == 1  # one is waiting: no second one
    assert backend.texts == 0  # queued, not read in the request


def test_the_drain_reads_in_batches_and_hands_over_when_its_time_is_up(
    backend, live_survey, monkeypatch
):
    for i in range(4):
        submit(live_survey, f"comment number {i}")  # 8 texts
    before = len(queued("drain_answers"))
    # No time left: one batch is read, then a fresh drain is queued for the rest.
    assert analysis.drain(seconds=0, batch_size=3, themes=False) == 3
    assert texts(analysis__isnull=True).count() == 5
    assert len(queued("drain_answers")) == before + 1
    assert analysis.drain(batch_size=3, themes=False) == 5
    assert not texts(analysis__isnull=True).exists()
    # Done, the drain lowered its flag: the next answer asks for a new drain.
    assert cache.get(analysis.DRAIN_FLAG) is None
    assert analysis.request_drain() is True
    assert analysis.request_drain() is False


def test_a_drain_killed_mid_batch_leaves_that_batch_unread_for_the_next(
    backend, live_survey, monkeypatch
):
    for i in range(3):
        submit(live_survey, f"comment number {i}")  # 6 texts
    import contento.text

    calls = []
    real = contento.text.analyze_many

    def dies_on_the_second_batch(texts_, **kwargs):
        calls.append(len(texts_))
        if len(calls) == 2:
            raise SystemExit("killed")
        return real(texts_, **kwargs)

    monkeypatch.setattr(contento.text, "analyze_many", dies_on_the_second_batch)
    with pytest.raises(SystemExit):
        analysis.drain(batch_size=2, themes=False)
    assert texts(analysis__isnull=False).count() == 2  # the first batch was saved
    monkeypatch.setattr(contento.text, "analyze_many", real)
    assert analysis.drain(batch_size=2, themes=False) == 4
    assert not texts(analysis__isnull=True).exists()


def test_the_sweep_asks_for_a_drain_when_answers_wait_too_long(backend, live_survey):
    import datetime as dt

    import time_machine

    from contento.surveys import tasks

    submit(live_survey, "nobody read me")
    cache.set(analysis.DRAIN_FLAG, True)  # a drain's flag that outlived its killed worker
    assert tasks.sweep.call()["analysis"] == 0  # too recent: probably being read
    waiting = len(queued("drain_answers"))
    with time_machine.travel(dt.timedelta(minutes=3)):
        assert tasks.sweep.call()["analysis"] == 1
    assert len(queued("drain_answers")) == waiting + 1
    call_command("worker", burst=True)
    assert not texts(analysis__isnull=True).exists()


def test_answers_the_current_model_read_are_skipped(backend, live_survey):
    for why in DELIVERY:
        submit(live_survey, why)
    ids = list(texts().values_list("pk", flat=True))
    assert analysis.analyze_answers(ids) == 6
    assert analysis.analyze_answers(ids) == 0
    assert backend.texts == 4  # three comments and "nothing" (given three times) read once
    newer = use(WordBackend("words-2"))
    assert analysis.analyze_answers(ids) == 6
    assert newer.texts == 4
    assert set(texts().values_list("analysis__model_version", flat=True)) == {model_version(newer)}
    assert analysis.analyze_answers(ids, force=True) == 6


def test_nothing_happens_without_the_text_library(backend, live_survey, monkeypatch):
    submit(live_survey, DELIVERY[0])
    monkeypatch.setattr(analysis, "_text_library", lambda: None)
    assert analysis.analyze_answers(list(texts().values_list("pk", flat=True))) == 0
    assert analysis.compute_themes(live_survey, force=True) is None
    assert not texts(analysis__isnull=False).exists()


@pytest.fixture
def history(backend, live_survey):
    """Six comments, read by the model "words-1"."""
    for why in DELIVERY + PRICE:
        submit(live_survey, why, nps=8)
    analysis.analyze_answers(list(texts().values_list("pk", flat=True)))
    assert backend.texts == 6
    return live_survey


# Themes ----------------------------------------------------------------------------------------


def test_themes_group_the_answers_and_are_recomputed_when_due(history):
    survey = history
    assert analysis.compute_themes(survey, force=True) == 2
    delivery, price = ({texts(text=t).get().theme_id for t in group} for group in (DELIVERY, PRICE))
    assert len(delivery) == 1
    assert len(price) == 1
    assert delivery != price
    themes = list(SurveyTheme.objects.filter(survey=survey))
    assert [t.size for t in themes] == [3, 3]
    assert all(t.basis == 6 for t in themes)
    by_id = {t.pk: t for t in themes}
    assert by_id[delivery.pop()].sentiment < 0 < by_id[price.pop()].sentiment
    assert "price" in by_id[texts(text=PRICE[0]).get().theme_id].label

    version = model_version()
    assert not analysis.themes_due(survey, version)
    assert analysis.compute_themes(survey) is None  # not due: nothing recomputed
    submit(survey, "the parcel delivery was late", nps=8)  # 7 analysed answers: +17%
    analysis.analyze_answers(list(texts().values_list("pk", flat=True)), themes=False)
    assert analysis.themes_due(survey, version)
    assert analysis.themes_due(survey, "text-1+another-model")
    assert analysis.compute_themes(survey) >= 2
    assert texts(theme__isnull=True).count() == 0


def test_while_comments_wait_unread_growth_alone_does_not_recompute_themes(history):
    survey = history
    analysis.compute_themes(survey, force=True)
    version = model_version()
    first = submit(survey, "the parcel delivery was late", nps=8)
    submit(survey, "late parcel again", nps=8)
    analysis.analyze_answers(list(texts(response=first).values_list("pk", flat=True)))
    # 7 analysed answers (+17 %), one still unread: the backlog is read first ...
    assert not analysis.themes_due(survey, version)
    # ... unless the themes are THEMES_EVERY old ...
    later = timezone.now() + analysis.THEMES_EVERY
    assert analysis.themes_due(survey, version, now=later)
    # ... and once it is read, the growth counts again.
    analysis.drain(themes=False)
    assert analysis.themes_due(survey, version)


def test_analysis_queues_themes_once_while_one_is_waiting(
    backend, live_survey, django_capture_on_commit_callbacks
):
    for why in DELIVERY + PRICE:
        submit(live_survey, why, nps=8)
    ids = list(texts().values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        analysis.analyze_answers(ids[:4])  # four answers: too few for themes
    assert queued("compute_themes") == []
    with django_capture_on_commit_callbacks(execute=True):
        analysis.analyze_answers(ids[4:5])
        analysis.analyze_answers(ids[5:])
    assert len(queued("compute_themes")) == 1


# Dashboard -------------------------------------------------------------------------------------


@pytest.fixture
def comments(history):
    survey = history
    submit(survey, "El envío fue muy lento y nadie responde", nps=8, language="es")
    submit(survey, ANGRY, nps=8)
    analysis.analyze_answers(list(texts().values_list("pk", flat=True)))
    analysis.compute_themes(survey, force=True)
    return survey


def shown(client, survey, query: str = "", **headers) -> set[str]:
    body = client.get(
        reverse("surveys:dashboard", args=[survey.code]) + query, **headers
    ).content.decode()
    section = body[body.index('id="comments"') :]
    everything = set(DELIVERY + PRICE + [ANGRY, "El envío fue muy lento y nadie responde"])
    return {text for text in everything if text in section}


def test_dashboard_comments_filter_by_language_sentiment_anger_and_theme(personas, comments):
    client = personas.client(Role.ANALYST)
    spanish = "El envío fue muy lento y nadie responde"
    assert len(shown(client, comments)) == 8
    assert shown(client, comments, "?comment_language=es") == {spanish}
    assert shown(client, comments, "?sentiment=positive") == set(PRICE)
    assert shown(client, comments, "?sentiment=negative") == {*DELIVERY, ANGRY, spanish}
    assert shown(client, comments, "?angry=on") == {ANGRY}
    theme = texts(text=DELIVERY[0]).get().theme
    found = shown(client, comments, f"?theme={theme.code}")
    assert set(DELIVERY) <= found
    assert not found & set(PRICE)
    # Comment filters combine with each other and with the dashboard's own filters.
    assert shown(client, comments, "?sentiment=negative&comment_language=en&angry=on") == {ANGRY}
    assert shown(client, comments, "?sentiment=negative&language=es") == {spanish}
    assert shown(client, comments, "?comment_language=en&language=es") == set()
    assert shown(client, comments, "?since=2999-01-01&sentiment=negative") == set()
    # A bad value (a theme since recomputed) is ignored, the other filters still apply.
    assert shown(client, comments, "?theme=gone&angry=on") == {ANGRY}


def test_dashboard_shows_what_was_read_in_each_comment(personas, comments):
    client = personas.client(Role.ANALYST)
    body = client.get(reverse("surveys:dashboard", args=[comments.code])).content.decode()
    row = body[body.rindex("<tr", 0, body.index("El envío fue muy lento")) :]
    row = row[: row.index("</tr>")]
    assert 'lang="es"' in row
    assert ">es<" in row
    assert "Negative -0.70" in row
    angry_row = body[body.rindex("<tr", 0, body.index(ANGRY)) :]
    angry_row = angry_row[: angry_row.index("</tr>")]
    assert "angry 0.90" in angry_row
    theme = texts(text=PRICE[0]).get().theme
    assert theme.label in body
    assert f'<option value="{theme.code}">' in body
    assert '<option value="es">' in body


def test_comment_filters_answer_htmx_with_the_comment_list_only(personas, comments):
    client = personas.client(Role.ANALYST)
    reply = client.get(
        reverse("surveys:dashboard", args=[comments.code]) + "?angry=on",
        headers={"HX-Request": "true", "HX-Target": "comments"},
    )
    body = reply.content.decode()
    assert body.lstrip().startswith('<section id="comments"')
    assert "data-metric" not in body
    assert ANGRY in body
    assert DELIVERY[0] not in body


def test_comments_are_paginated_and_the_query_count_does_not_grow(
    personas, comments, django_assert_num_queries
):
    client = personas.client(Role.OWNER)
    path = reverse("surveys:dashboard", args=[comments.code])
    client.get(path)  # warm the per-process caches (session, translations, localized survey)
    # One of them asks which insight pages (gaps, Kano) the survey has; three fill the
    # filters (the workspace, its customer attributes, its products).
    with django_assert_num_queries(19) as few:
        assert client.get(path).status_code == 200
    for i in range(25):
        submit(comments, f"more words {i}", nps=8)
    analysis.analyze_answers(list(texts().values_list("pk", flat=True)))
    with django_assert_num_queries(len(few.captured_queries)):
        body = client.get(path).content.decode()
    assert "Page 1 of 2" in body
    assert "more words 24" in body
    assert DELIVERY[0] not in body
    older = client.get(path + "?page=2").content.decode()
    assert "Page 2 of 2" in older
    assert DELIVERY[0] in older
    assert "more words 24" not in older
    neutral = client.get(path + "?sentiment=neutral").content.decode()
    assert "Page 1 of 2" in neutral
    assert "?sentiment=neutral&amp;page=2" in neutral
    negative = client.get(path + "?sentiment=negative").content.decode()
    assert "Page 1 of" not in negative  # four negative comments: one page, no pager


def test_comment_text_is_escaped(personas, backend, live_survey):
    submit(live_survey, "<script>alert('x')</script> slow delivery", nps=8)
    analysis.analyze_answers(list(texts().values_list("pk", flat=True)))
    body = (
        personas.client(Role.ANALYST)
        .get(reverse("surveys:dashboard", args=[live_survey.code]))
        .content.decode()
    )
    assert "<script>alert(" not in body
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in body


# Refresh themes --------------------------------------------------------------------------------


def test_members_who_edit_the_survey_can_refresh_its_themes(
    personas, history, django_capture_on_commit_callbacks
):
    path = reverse("surveys:refresh_themes", args=[history.code])
    with django_capture_on_commit_callbacks(execute=True):
        reply = personas.client(Role.MANAGER).post(path)
    assert reply.status_code == 302
    assert reply["Location"] == reverse("surveys:dashboard", args=[history.code]) + "#comments"
    assert queued("compute_themes") == [{"args": [str(history.code)], "kwargs": {"force": True}}]
    body = personas.client(Role.MANAGER).get(reply["Location"]).content.decode()
    assert "Refresh themes" in body


def test_refresh_themes_is_refused_to_others(personas, history):
    path = reverse("surveys:refresh_themes", args=[history.code])
    assert personas.client(personas.outsider).post(path).status_code == 404
    assert personas.client(Role.ANALYST).post(path).status_code == 403
    assert personas.client(Role.AGENT).post(path).status_code == 403
    assert personas.client(Role.MANAGER).get(path).status_code == 405
    anonymous = personas.client().post(path)
    assert anonymous.status_code == 302
    assert "/accounts/login/" in anonymous["Location"]
    assert queued("compute_themes") == []
    body = (
        personas.client(Role.ANALYST)
        .get(reverse("surveys:dashboard", args=[history.code]))
        .content.decode()
    )
    assert "Refresh themes" not in body


def test_the_business_name_is_never_a_theme_label(backend, live_survey):
    # The name is distinctive of the delivery comments: without the rule it would label them.
    for why in [*(f"acme acme {w}" for w in DELIVERY), *PRICE]:
        submit(live_survey, why)
    analysis.drain(themes=False)
    assert analysis.compute_themes(live_survey, force=True)
    labels = [
        word
        for theme in SurveyTheme.objects.filter(survey=live_survey)
        for word in theme.label.replace(",", " ").split()
    ]
    assert labels and "acme" not in labels  # the workspace is "Acme"


def test_a_process_asks_for_a_drain_once_a_moment_and_the_drain_waits_as_long(
    backend, live_survey, settings, monkeypatch, django_capture_on_commit_callbacks
):
    """Under a burst, a process looks at the shared flag once per memo period, not once per
    submission; a comment saved meanwhile is read by the lingering drain all the same."""
    import time
    import types

    settings.ANALYSIS_REQUEST_MEMO_SECONDS = 0.3
    monkeypatch.setattr(analysis, "_last_request", -float("inf"))
    looks = []
    real_request = analysis.request_drain
    monkeypatch.setattr(analysis, "request_drain", lambda **kw: looks.append(1) or real_request())
    for i in range(5):
        with django_capture_on_commit_callbacks(execute=True):
            submit(live_survey, f"burst comment {i}")
    assert len(looks) == 1  # the first asked; the four after it within the memo did not
    assert len(queued("drain_answers")) == 1

    # The drain reads the burst, then keeps looking: a comment saved while it lingers, by a
    # process that does not ask again, is read by it before it lowers its flag.
    naps = []

    def nap(seconds):
        naps.append(seconds)
        if len(naps) == 2:
            submit(live_survey, "saved while the drain lingers")  # no on_commit: nobody asks
        time.sleep(seconds)

    monkeypatch.setattr(
        analysis, "time", types.SimpleNamespace(monotonic=time.monotonic, sleep=nap)
    )
    assert analysis.drain(themes=False) == 12
    assert not texts(analysis__isnull=True).exists()
    assert cache.get(analysis.DRAIN_FLAG) is None
    # It looked for twice the memo after the last comment it read, then ended.
    assert sum(naps[2:]) == pytest.approx(0.6, abs=0.05)
