"""Task workers that lose nothing: retries with back-off, leases, heartbeats, reconnection.

Every task of the product is idempotent (its row says what was already done), so running one
again is always safe; what must never happen is a task that silently stops. Here:

- A worker writes a heartbeat (`ProcessBeat`) every HEARTBEAT_SECONDS. A task it claimed is
  leased to it while its heartbeat is fresh; when the heartbeat is older than LEASE_SECONDS
  (the worker was killed, its machine died), any other worker puts the task back in its
  queue (`reclaim_abandoned`). On Redis, RQ's own started-job registry plays that part, and
  the workers clean it every few seconds instead of every ten minutes.
- A task that raises is run again after 10 s, 20 s, 40 s, 80 s; after MAX_ATTEMPTS it stays
  FAILED, the dead-letter state that `contento status` and the status page count.
- When the database goes away (a restart, a failover), the worker waits and reconnects with
  back-off instead of exiting, and finishes recording the task it was running.
"""

import contextlib
import logging
import os
import socket
import threading
import time
import traceback
from datetime import timedelta

from django.conf import settings
from django.db import connection, connections, transaction
from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks import TaskContext
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from contento.core.errors import DATABASE_ERRORS
from contento.core.models import ProcessBeat

log = logging.getLogger("contento.worker")

MAX_ATTEMPTS = 5
# A worker beats every HEARTBEAT_SECONDS; silent for LEASE_SECONDS, it is taken for dead.
LEASE_SECONDS = settings.TASK_LEASE_SECONDS
HEARTBEAT_SECONDS = max(LEASE_SECONDS / 6, 0.5)
RECLAIM_SECONDS = max(LEASE_SECONDS / 3, 1)


def backoff(attempt: int) -> int:
    """Seconds to wait before running a failed task again (attempt 1 failed: 10 s)."""
    return min(10 * 2 ** (attempt - 1), 600)


def new_process_id(kind: str) -> str:
    return f"{kind}-{socket.gethostname()[:30]}-{os.getpid()}-{get_random_string(8)}"


class Heartbeat:
    """Keep a process's `ProcessBeat` row fresh from a thread of its own."""

    def __init__(self, kind: str, lane: str = "", queues=(), process_id: str | None = None):
        self.process_id = process_id or new_process_id(kind)
        self.kind, self.lane, self.queues = kind, lane, ",".join(queues)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"heartbeat-{kind}", daemon=True)
        self.on_beat = []  # more periodic duties of the process, called after each beat

    def start(self, *, wait_for_database: bool = True) -> None:
        """Write the first beat (raising if the database is away, unless told not to wait:
        the thread then keeps trying), and keep beating."""
        try:
            self.beat()  # the row exists before the process claims any work
        except DATABASE_ERRORS:
            if wait_for_database:
                raise
            log.warning("heartbeat: the database cannot be reached yet")
            connection.close()
        self._thread.start()

    def beat(self) -> None:
        now = timezone.now()
        ProcessBeat.objects.update_or_create(
            process_id=self.process_id,
            defaults={
                "kind": self.kind,
                "lane": self.lane,
                "queues": self.queues,
                "host": socket.gethostname()[:255],
                "pid": os.getpid(),
                "beat_at": now,
                "stopped_at": None,
            },
            create_defaults={
                "kind": self.kind,
                "lane": self.lane,
                "queues": self.queues,
                "host": socket.gethostname()[:255],
                "pid": os.getpid(),
                "started_at": now,
                "beat_at": now,
            },
        )

    def _run(self) -> None:
        while not self._stop.wait(HEARTBEAT_SECONDS):
            try:
                self.beat()
                for duty in self.on_beat:
                    duty()
            except DATABASE_ERRORS:
                log.warning("heartbeat: the database cannot be reached", exc_info=True)
                connection.close()
            except Exception:
                log.exception("heartbeat duty failed")
        connection.close()

    def stop(self) -> None:
        self._stop.set()
        with contextlib.suppress(DATABASE_ERRORS):
            ProcessBeat.objects.filter(process_id=self.process_id).update(stopped_at=timezone.now())


def live_workers(now=None) -> set[str]:
    now = now or timezone.now()
    return set(
        ProcessBeat.objects.filter(
            kind=ProcessBeat.Kind.WORKER,
            stopped_at__isnull=True,
            beat_at__gte=now - timedelta(seconds=LEASE_SECONDS),
        ).values_list("process_id", flat=True)
    )


def reclaim_abandoned(now=None) -> tuple[int, int]:
    """Put the tasks of dead workers back in their queues; return (requeued, dead).

    A task whose worker stopped beating is run again (it is idempotent); one that has
    already been tried MAX_ATTEMPTS times becomes FAILED with an AbandonedTask error.
    """
    now = now or timezone.now()
    alive = live_workers(now)
    requeued = dead = 0
    with transaction.atomic():
        running = DBTaskResult.objects.running().select_for_update(skip_locked=True)
        for task in running:
            owner = task.worker_ids[-1] if task.worker_ids else None
            if owner in alive:
                continue
            if len(task.worker_ids) >= MAX_ATTEMPTS:
                task.status = TaskResultStatus.FAILED
                task.finished_at = now
                task.exception_class_path = "contento.core.worker.AbandonedTask"
                task.traceback = (
                    f"The worker {owner} stopped while running this task, "
                    f"{len(task.worker_ids)} times; it is not tried again."
                )
                task.save(
                    update_fields=["status", "finished_at", "exception_class_path", "traceback"]
                )
                dead += 1
            else:
                task.status = TaskResultStatus.READY
                task.run_after = now
                task.started_at = None
                task.save(update_fields=["status", "run_after", "started_at"])
                requeued += 1
    if requeued or dead:
        log.warning(
            "tasks of stopped workers taken back", extra={"requeued": requeued, "dead": dead}
        )
    return requeued, dead


class DatabaseWorker:
    """Run the database queue's tasks of some queues, in the queues' order of priority."""

    def __init__(self, queues: list[str], lane: str = "", *, batch=False, interval=0.5):
        self.queues, self.lane, self.batch, self.interval = queues, lane, batch, interval
        self.heartbeat = Heartbeat(ProcessBeat.Kind.WORKER, lane, queues)
        self.worker_id = self.heartbeat.process_id
        self.running = True
        self.backend = settings.TASKS["default"].get("BACKEND", "")

    def stop(self, *_args) -> None:
        self.running = False

    def run(self) -> int:
        """Run until stopped (or, in batch mode, until nothing is ready); return tasks run."""
        ran, failures, last_reclaim = 0, 0, 0.0
        started = False
        while self.running:
            try:
                if not started:
                    self.heartbeat.start()
                    started = True
                if time.monotonic() - last_reclaim >= RECLAIM_SECONDS:
                    reclaim_abandoned()
                    last_reclaim = time.monotonic()
                task = self._claim()
                failures = 0
            except DATABASE_ERRORS as error:
                if is_locked_database_exception(error):  # SQLite: another writer, briefly
                    time.sleep(self.interval)
                    continue
                failures += 1
                self._wait_for_database(failures)
                continue
            if task is None:
                if self.batch:
                    break
                time.sleep(self.interval)
                continue
            self._run(task)
            ran += 1
            _refresh_connections()
        if started:
            self.heartbeat.stop()
        return ran

    def _wait_for_database(self, failures: int) -> None:
        delay = min(2**failures, 30)
        log.warning(
            "the database cannot be reached; trying again",
            extra={"seconds": delay, "lane": self.lane},
        )
        _refresh_connections(force=True)
        if not self.batch:
            time.sleep(delay)
        elif failures > 5:
            raise RuntimeError("The database cannot be reached.")

    def _claim(self):
        rank = Case(
            *(When(queue_name=name, then=Value(i)) for i, name in enumerate(self.queues)),
            output_field=IntegerField(),
        )
        ready = (
            DBTaskResult.objects.ready()
            .filter(queue_name__in=self.queues)
            .order_by(rank, "-priority", "run_after", "enqueued_at")
        )
        with exclusive_transaction(ready.db):
            task = ready.select_for_update(skip_locked=True).first()
            if task is not None:
                task.claim(self.worker_id)
        return task

    def _run(self, db_task) -> None:
        outcome = None
        try:
            task = db_task.task
            result = db_task.task_result
            if task.takes_context:
                value = task.call(TaskContext(task_result=result), *result.args, **result.kwargs)
            else:
                value = task.call(*result.args, **result.kwargs)
            outcome = ("done", value)
        except (KeyboardInterrupt, SystemExit):
            self._record(db_task, ("interrupted", None))
            raise
        except Exception as error:  # noqa: BLE001 - every failure is recorded and retried
            outcome = ("error", error)
        self._record(db_task, outcome)

    def _record(self, db_task, outcome) -> None:
        """Write what became of a task, waiting for the database if it is away."""
        failures = 0
        while True:
            try:
                _save_outcome(db_task, outcome)
                return
            except DATABASE_ERRORS:
                failures += 1
                if failures > 60:
                    raise  # its lease expires and another worker runs it again
                self._wait_for_database(min(failures, 5))


def _refresh_connections(force: bool = False) -> None:
    """Drop broken or old database connections between tasks (`force`: drop them all).

    Never inside a transaction that someone else opened (a test runs the worker inside its
    own): closing that connection would end it.
    """
    if connection.in_atomic_block:
        return
    if force:
        connections.close_all()
    else:
        keep_usable_connections()


def keep_usable_connections() -> None:
    """Drop this thread's database connections that failed or outlived CONN_MAX_AGE.

    For a long-running process (a worker, the mail listener) between two units of work:
    unlike Django's `close_old_connections`, a connection with no maximum age (CONN_MAX_AGE
    0, SQLite's default here) is kept, not closed after each unit: reopening it costs more
    than the work (a PostgreSQL backend process, SQLite's PRAGMAs). One that saw an error and
    no longer answers (the database restarted) is closed, so the next query reconnects.
    """
    for conn in connections.all(initialized_only=True):
        if conn.connection is None or conn.in_atomic_block:
            continue
        conn.health_check_done = False  # CONN_HEALTH_CHECKS: check again before the next use
        aged = (
            bool(conn.settings_dict["CONN_MAX_AGE"])
            and conn.close_at is not None
            and time.monotonic() >= conn.close_at
        )
        if aged or conn.get_autocommit() != conn.settings_dict["AUTOCOMMIT"]:
            conn.close()
        elif conn.errors_occurred:
            if conn.is_usable():
                conn.errors_occurred = False
            else:
                conn.close()


def _save_outcome(db_task, outcome) -> None:
    kind, value = outcome
    now = timezone.now()
    if kind == "done":
        db_task.set_successful(value)
        return
    if kind == "interrupted":  # stopped by its operator mid-task: run it again, no penalty
        db_task.status = TaskResultStatus.READY
        db_task.run_after = now
        db_task.started_at = None
        db_task.save(update_fields=["status", "run_after", "started_at"])
        return
    attempts = len(db_task.worker_ids)
    if attempts >= MAX_ATTEMPTS:
        db_task.set_failed(value)
        log.error(
            "task failed for good",
            extra={"task": db_task.task_path, "id": str(db_task.id), "attempts": attempts},
        )
        return
    delay = backoff(attempts)
    db_task.status = TaskResultStatus.READY
    db_task.run_after = now + timedelta(seconds=delay)
    db_task.started_at = None
    db_task.exception_class_path = f"{type(value).__module__}.{type(value).__qualname__}"
    db_task.traceback = "".join(traceback.format_exception(value))
    db_task.save(
        update_fields=["status", "run_after", "started_at", "exception_class_path", "traceback"]
    )
    log.warning(
        "task failed; it will run again",
        extra={"task": db_task.task_path, "attempt": attempts, "in_seconds": delay},
    )
