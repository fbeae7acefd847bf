"""Background work that cannot be lost: retries, leases, reconnection, one scheduler, lanes."""

import datetime as dt
import sys
import threading
import time
from unittest import mock

import pytest
import time_machine
from django.core.cache import cache
from django.core.management import call_command
from django.db import OperationalError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from contento.accounts.roles import Role
from contento.core import health, queues, scheduler, worker
from contento.core.models import PeriodicRun, ProcessBeat
from contento.core.queues import ANALYSIS, DEFAULT, LANES, MAIL, QUEUES
from contento.core.supervisor import Supervisor
from contento.core.tests import tasks as test_tasks
from contento.insights import tasks as insights
from contento.support import tasks as support
from contento.surveys import tasks as surveys


@pytest.fixture(autouse=True)
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": QUEUES}}


def _run(queues=QUEUES):
    return worker.DatabaseWorker(queues, "test", batch=True).run()


def test_a_failing_task_runs_again_with_back_off_then_succeeds(db):
    result = test_tasks.flaky.enqueue("flaky-1", 2)
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        _run()  # attempt 1 fails: waits 10 s
        row = DBTaskResult.objects.get(id=result.id)
        assert row.status == TaskResultStatus.READY
        assert "attempt 1 fails" in row.traceback
        assert row.run_after == start + dt.timedelta(seconds=10)
        assert _run() == 0  # not due yet
        clock.shift(10)
        _run()  # attempt 2 fails: waits 20 s
        clock.shift(20)
        _run()  # attempt 3 succeeds
    row.refresh_from_db()
    assert row.status == TaskResultStatus.SUCCESSFUL
    assert row.return_value == 3
    assert len(row.worker_ids) == 3
    assert row.traceback == ""


def test_a_task_that_keeps_failing_ends_dead_and_is_reported(db):
    result = test_tasks.flaky.enqueue("flaky-2", 99)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for _attempt in range(worker.MAX_ATTEMPTS):
            _run()
            clock.shift(700)
        row = DBTaskResult.objects.get(id=result.id)
        assert row.status == TaskResultStatus.FAILED
        assert len(row.worker_ids) == worker.MAX_ATTEMPTS
        state = {q.name: q for q in health.report().queues}
        assert state[DEFAULT].dead == 1
        assert any("failed for good" in problem for problem in health.report().problems)


def _dead_worker(seconds_ago=120) -> str:
    then = timezone.now() - dt.timedelta(seconds=seconds_ago)
    beat = ProcessBeat.objects.create(
        process_id="worker-gone-1", kind="worker", lane="urgent", host="h", pid=1,
        started_at=then, beat_at=then,
    )  # fmt: skip
    return beat.process_id


def test_a_task_whose_worker_died_runs_again(db):
    result = test_tasks.remember.enqueue("died", "once")
    gone = _dead_worker()
    row = DBTaskResult.objects.get(id=result.id)
    row.claim(gone)  # the worker took it, then was killed with -9
    assert _run() == 0 or cache.get("died") == ["once"]
    row.refresh_from_db()
    assert row.status == TaskResultStatus.SUCCESSFUL
    assert cache.get("died") == ["once"]
    assert row.worker_ids[0] == gone
    assert len(row.worker_ids) == 2


def test_a_live_workers_task_is_left_alone(db):
    result = test_tasks.remember.enqueue("alive", "x")
    beat = worker.Heartbeat("worker", "urgent", [MAIL])
    beat.beat()
    DBTaskResult.objects.get(id=result.id).claim(beat.process_id)
    assert worker.reclaim_abandoned() == (0, 0)
    assert DBTaskResult.objects.get(id=result.id).status == TaskResultStatus.RUNNING


def test_a_task_abandoned_too_often_is_dead_not_retried_for_ever(db):
    result = test_tasks.remember.enqueue("abandoned", "x")
    gone = _dead_worker()
    row = DBTaskResult.objects.get(id=result.id)
    for _attempt in range(worker.MAX_ATTEMPTS):
        row.claim(gone)
    assert worker.reclaim_abandoned() == (0, 1)
    row.refresh_from_db()
    assert row.status == TaskResultStatus.FAILED
    assert "stopped while running" in row.traceback


def test_the_worker_waits_for_the_database_and_goes_on(db):
    test_tasks.remember.enqueue("outage", "after")
    real_claim = worker.DatabaseWorker._claim
    outages = iter([True, True, True])

    def claim(self):
        if next(outages, False):
            raise OperationalError("server closed the connection unexpectedly")
        return real_claim(self)

    with mock.patch.object(worker.DatabaseWorker, "_claim", claim):
        _run()
    assert cache.get("outage") == ["after"]


def test_mail_never_waits_behind_analysis(db):
    for i in range(3):
        test_tasks.remember_analysis.enqueue("order", f"analysis-{i}")
    test_tasks.remember.enqueue("order", "default")
    test_tasks.remember_mail.enqueue("order", "mail")
    # The urgent lane takes mail first, then the default queue, and never analysis.
    _run(LANES["urgent"])
    assert cache.get("order") == ["mail", "default"]
    _run(LANES["analysis"])
    assert cache.get("order")[2:] == ["analysis-0", "analysis-1", "analysis-2"]
    queued = {q: DBTaskResult.objects.filter(queue_name=q).count() for q in QUEUES}
    assert queued == {MAIL: 1, DEFAULT: 1, ANALYSIS: 3}


def test_the_products_mail_tasks_are_in_the_mail_queue():

    mail = [support.send_acknowledgement, support.send_ticket_message, support.send_rating]
    mail += [surveys.send_invitation, insights.send_alert, insights.send_weekly_report]
    for task in mail:
        assert task.queue_name == MAIL, task
    for task in (support.analyze_messages, surveys.analyze_answers, surveys.compute_themes):
        assert task.queue_name == ANALYSIS, task
    assert support.desk_tick.queue_name == DEFAULT


def test_each_periodic_job_runs_once_per_period_whatever_the_workers(db, settings):
    path = "contento.core.tests.tasks.tick"
    settings.PERIODIC_TASKS = [(path, 60)]
    now = timezone.now()
    first, second = {}, {}  # the memory of two worker processes
    assert scheduler.run_due(now, first) == [path]
    assert scheduler.run_due(now, second) == []
    assert scheduler.run_due(now + dt.timedelta(seconds=1), first) == []
    assert scheduler.run_due(now + dt.timedelta(seconds=60), second) == [path]
    assert DBTaskResult.objects.filter(task_path=path).count() == 2
    assert PeriodicRun.objects.count() == 2


def _stalled_mail():
    result = test_tasks.remember_mail.enqueue("late", "x")
    DBTaskResult.objects.filter(id=result.id).update(
        enqueued_at=timezone.now() - dt.timedelta(minutes=10)
    )


def test_status_health_and_the_owners_page_show_stalled_work(db, personas):
    assert Client().get("/healthz").json()["status"] == "ok"
    _stalled_mail()
    state = health.report()
    assert not state.ok
    assert "no urgent worker is alive" in state.problems[0]
    health_reply = Client().get("/healthz")
    assert health_reply.status_code == 200
    assert health_reply.json()["status"] == "degraded"
    assert health_reply.json()["queues"][MAIL]["waiting"] == 1
    assert Client().get("/healthz?strict=1").status_code == 503
    with pytest.raises(SystemExit) as exited:
        call_command("status")
    assert exited.value.code == 1
    page = personas.client(Role.OWNER).get(reverse("accounts:status"))
    assert page.status_code == 200
    assert "no urgent worker is alive" in page.content.decode()
    # A live worker that lets mail wait too long is stalled too.
    worker.Heartbeat("worker", "urgent", LANES["urgent"]).beat()
    assert "has waited" in health.report().problems[0]


def test_the_status_page_is_for_owners_only(db, personas):
    url = reverse("accounts:status")
    for role in (Role.MANAGER, Role.AGENT, Role.ANALYST):
        assert personas.client(role).get(url).status_code == 403, role
    assert personas.client(personas.outsider).get(url).status_code == 200  # their own workspace
    assert Client().get(url).status_code == 302


def test_healthz_says_when_the_database_is_away(db):
    from django.db import connections
    from django.db.backends.base.base import BaseDatabaseWrapper

    with mock.patch.object(
        BaseDatabaseWrapper, "ensure_connection", side_effect=OperationalError("refused")
    ):
        connections.close_all()
        reply = Client(raise_request_exception=False).get("/healthz")
    assert reply.status_code == 503
    assert reply.json()["database"] == "unreachable"


class _SlowRestarts(Supervisor):
    """A supervisor whose restarts take a while, so `stop()` can arrive in the middle of one."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.restarting = threading.Event()

    def _spawn(self, child):
        if child.failures:  # a restart, not the first start
            self.restarting.set()
            time.sleep(0.5)
        super()._spawn(child)


def test_a_child_restarted_while_stopping_is_stopped_too(tmp_path):
    # The child exits at once the first time, then runs until it is stopped.
    marker = tmp_path / "started"
    script = (
        "import pathlib, sys, time; p = pathlib.Path(sys.argv[1])\n"
        "if not p.exists(): p.touch(); sys.exit(1)\n"
        "time.sleep(30)"
    )
    supervisor = _SlowRestarts({"child": [sys.executable, "-c", script, str(marker)]}, poll=0.05)
    supervisor.start()
    assert supervisor.restarting.wait(timeout=15)
    supervisor.stop(timeout=5)
    supervisor._thread.join(timeout=5)  # whatever the watcher was doing, it has done
    child = supervisor.children[0]
    try:
        assert child.process.poll() is not None  # no child outlives its supervisor
    finally:
        child.process.kill()
        child.process.wait()


def test_a_dead_child_is_restarted_with_back_off():
    supervisor = Supervisor(
        {"short": [sys.executable, "-c", "import time; time.sleep(0.3)"],
         "long": [sys.executable, "-c", "import time; time.sleep(30)"]},
        poll=0.05,
    )  # fmt: skip
    supervisor.start()
    try:
        long_pid = supervisor.pids()["long"]
        deadline = time.monotonic() + 30  # generous: a loaded machine starts Python slowly
        short = supervisor.children[0]
        while short.restarts < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert short.restarts >= 2  # died twice, came back twice (after 1 s, then 2 s)
        assert supervisor.pids()["long"] == long_pid  # the healthy one was left alone
    finally:
        supervisor.stop(timeout=5)
    assert all(child.process.poll() is not None for child in supervisor.children)


def test_the_batch_tasks_of_one_transaction_are_queued_once_and_checked_together(
    db, django_capture_on_commit_callbacks, django_assert_num_queries
):
    a, b = "contento.core.tests.tasks.batch_a", "contento.core.tests.tasks.batch_b"
    queues._batches.clear()
    with django_capture_on_commit_callbacks(execute=True) as hooks:
        for task in (a, b, a):
            queues.enqueue_batch_on_commit(task)
    assert len(hooks) == 1
    assert DBTaskResult.objects.filter(task_path__in=[a, b]).count() == 2
    # Both still wait in their queue: one query says so, and nothing new is queued.
    with django_capture_on_commit_callbacks() as hooks:
        queues.enqueue_batch_on_commit(a)
        queues.enqueue_batch_on_commit(b)
    assert len(hooks) == 1
    with django_assert_num_queries(1):
        hooks[0]()
    assert DBTaskResult.objects.filter(task_path__in=[a, b]).count() == 2
    # A run that started will not see later rows: another is queued.
    DBTaskResult.objects.filter(task_path=a).update(status=TaskResultStatus.RUNNING)
    with django_capture_on_commit_callbacks(execute=True):
        queues.enqueue_batch_on_commit(a)
    assert DBTaskResult.objects.filter(task_path=a).count() == 2
