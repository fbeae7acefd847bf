"""`contento reanalyze`: read every comment and customer message again with a new model,
resuming where an interrupted run stopped."""

import pytest
from django.core.management import CommandError, call_command
from django_tasks_db.models import DBTaskResult

from contento.customers.actions import do_create_customer
from contento.support.actions.tickets import do_create_ticket
from contento.support.analysis import analyze_messages
from contento.support.models import TicketMessage
from contento.surveys import analysis
from contento.surveys.actions import do_submit_response
from contento.text import model_version, set_backend
from contento.text.testing import WordBackend

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
ANGRY = "I am furious, this is unacceptable and nobody answers"


@pytest.fixture
def backend():
    words = WordBackend()
    set_backend(words)
    yield words
    set_backend(None)


def use(backend: WordBackend) -> WordBackend:
    set_backend(backend)
    return backend


def texts():
    return analysis.text_answers()


def queued(task_name: str) -> list[dict]:
    return [
        row.args_kwargs
        for row in DBTaskResult.objects.order_by("enqueued_at", "id")
        if row.task_path.endswith(f".{task_name}")
    ]


@pytest.fixture
def history(backend, personas, live_survey):
    """Six comments and two customer messages, read by the model "words-1"."""
    for why in DELIVERY + PRICE:
        do_submit_response(live_survey, answers={"nps": 8, "why": why})
    customer = do_create_customer(personas.org, name="Ana", email="ana@example.net")
    for body in (ANGRY, "How do I change my plan, thank you"):
        do_create_ticket(personas.org, customer=customer, subject="Hi", channel="web", body=body)
    analysis.analyze_answers(list(texts().values_list("pk", flat=True)))
    analyze_messages([str(m.code) for m in TicketMessage.objects.all()])
    assert backend.texts == 8
    return live_survey


def versions(queryset) -> list[str]:
    return list(queryset.order_by("pk").values_list("analysis__model_version", flat=True))


def test_reanalyze_resumes_where_an_interrupted_run_stopped(history, capsys):
    old, new = model_version(WordBackend("words-1")), model_version(WordBackend("words-2"))
    # Ctrl-C while the third batch is being read.
    crashing = use(WordBackend("words-2", fail_after=4, error=KeyboardInterrupt))
    with pytest.raises(CommandError, match="run the command again"):
        call_command("reanalyze", batch_size=2)
    assert "Analysed 4 answers and 0 messages." in capsys.readouterr().out
    assert crashing.texts == 4
    # Two batches were saved before the interruption, in primary-key order.
    assert versions(texts()) == [new] * 4 + [old] * 2
    assert versions(TicketMessage.objects) == [old] * 2

    resumed = use(WordBackend("words-2"))
    call_command("reanalyze", batch_size=2)
    assert "Analysed 2 answers and 2 messages." in capsys.readouterr().out
    assert resumed.texts == 4  # the rows done before the crash were not read again
    assert set(versions(texts())) == {new}
    assert set(versions(TicketMessage.objects)) == {new}
    assert TicketMessage.objects.get(body=ANGRY).angry

    call_command("reanalyze")
    assert "Analysed 0 answers and 0 messages." in capsys.readouterr().out
    assert resumed.texts == 4

    forced = use(WordBackend("words-2"))
    call_command("reanalyze", "--force", "--only", "answers", "--batch-size", "4")
    assert "Analysed 6 answers and 0 messages." in capsys.readouterr().out
    assert forced.texts == 6
    call_command("reanalyze", "--force", "--only", "messages")
    assert "Analysed 0 answers and 2 messages." in capsys.readouterr().out
    assert forced.texts == 8


def test_reanalyze_keeps_what_it_saved_when_the_model_crashes(history):
    use(WordBackend("words-2", fail_after=5))
    with pytest.raises(RuntimeError, match="stopped"):
        call_command("reanalyze", "--batch-size", "5")
    assert versions(texts()).count(model_version(WordBackend("words-2"))) == 5
    resumed = use(WordBackend("words-2"))
    call_command("reanalyze", "--batch-size", "5")
    assert resumed.texts == 3  # one answer and two messages


def test_reanalyze_queues_the_themes_of_the_surveys_it_read(
    history, django_capture_on_commit_callbacks
):
    use(WordBackend("words-2"))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("reanalyze", "--only", "answers")
    assert queued("compute_themes") == [{"args": [str(history.code)], "kwargs": {"force": True}}]


def test_reanalyze_rejects_a_bad_batch_size(history):
    with pytest.raises(CommandError, match="at least 1"):
        call_command("reanalyze", "--batch-size", "0")


def test_reanalyze_says_its_rate_and_the_time_left(history, capsys):
    use(WordBackend("words-2"))
    call_command("reanalyze", "--batch-size", "2", "--every", "0")
    out = capsys.readouterr().out
    assert "8 texts to read." in out
    lines = [line for line in out.splitlines() if "texts/s" in line]
    assert lines[0].startswith("2/8 texts, ") and "left" in lines[0]
    assert lines[-1].startswith("8/8 texts, ") and lines[-1].endswith("about 0 s left")
