"""The task queues, and the lanes of workers that serve them.

Work that a customer waits for must never wait behind work nobody waits for. Each task names
its queue (`@task(queue_name=...)`):

- `mail`: acknowledgements, replies, invitations, rating requests, alerts: a person is
  waiting for each, so they run first;
- `default`: the desk's periodic duties, imports, recomputations;
- `analysis`: reading comments and messages for sentiment and themes: heavy, and a backlog of
  it delays nothing a customer sees.

A lane is a worker process serving some queues in order of priority. `contento worker` runs
one process per lane, so a long analysis batch never holds up an acknowledgement.
"""

import logging
import threading

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

log = logging.getLogger(__name__)

MAIL = "mail"
DEFAULT = "default"
ANALYSIS = "analysis"
QUEUES = [MAIL, DEFAULT, ANALYSIS]

LANES: dict[str, list[str]] = {
    "urgent": [MAIL, DEFAULT],
    "analysis": [ANALYSIS],
}

# The analysis lane runs below the others in the operating system's scheduler: when the
# machine is busy, survey pages, mail and the desk get the CPU first.
NICE = {"analysis": 10}

# How long a task may wait before /healthz and `contento status` call its queue stalled.
STALL_SECONDS = {MAIL: 120, DEFAULT: 300, ANALYSIS: 1800}


def lane_of(queue: str) -> str:
    return next(lane for lane, queues in LANES.items() if queue in queues)


def backend() -> str:
    """Return where tasks wait: "database", "redis", or "immediate" (run in the request)."""
    path = settings.TASKS["default"]["BACKEND"]
    if path.endswith("RQBackend"):
        return "redis"
    if path.endswith("DatabaseBackend"):
        return "database"
    return "immediate"


def enqueue(task: str, *args, **kwargs):
    """Queue the task named by its dotted path ("contento.support.tasks.send_rating").

    By name, so that the code that queues work need not import the module of the task: an
    app's `tasks` module sits at the top of the app and imports what its tasks run.
    """
    return import_string(task).enqueue(*args, **kwargs)


def enqueue_on_commit(task: str, *args, **kwargs) -> None:
    """Queue the named task once the current transaction commits (at once outside one).

    A failure to queue is logged and never undoes the commit; the app's sweep finds the work
    whose queueing was lost and queues it again.
    """
    transaction.on_commit(lambda: enqueue(task, *args, **kwargs), robust=True)


# The last run of each batch task that this process queued (task path -> its TaskResult).
_batches: dict[str, object] = {}
_batches_lock = threading.Lock()


def enqueue_batch_on_commit(task: str) -> None:
    """Make sure a run of the named batch task (no arguments) sees this transaction's rows.

    A batch task does all the work its rows say is waiting (tickets whose acknowledgement is
    pending, messages nobody read). So one run serves every commit made before it starts:
    when the run this process last queued is still waiting in its queue (READY, checked after
    the commit), it will see this commit's rows too, and nothing new is queued. Mail arriving
    in a burst thus costs the queue one task per batch, not one per message. The batch tasks
    named in one transaction are checked together, in one query on the database backend.
    Whatever goes wrong here is logged, and the sweep queues the batch again.
    """
    connection = transaction.get_connection()
    group = getattr(_local, "group", None)
    # Not run yet, and still among the commit hooks of the transaction open now (not rolled
    # back): the task joins it. `run_on_commit` holds (savepoint ids, hook, robust) triples.
    if (
        group is not None
        and not group.ran
        and any(hook[1] is group.hook for hook in connection.run_on_commit)
    ):
        group.tasks.setdefault(task)
        return
    group = _local.group = _Group(task)
    transaction.on_commit(group.hook, robust=True)


# The group of batch tasks that each thread's open transaction will check once it commits.
_local = threading.local()


class _Group:
    def __init__(self, task: str):
        self.tasks: dict[str, None] = {task: None}  # in the order named
        self.hook = self.run  # the one bound method given to on_commit, found by identity
        self.ran = False

    def run(self) -> None:
        self.ran = True
        with _batches_lock:
            queued = {task: _batches.get(task) for task in self.tasks}
        waiting = _still_waiting([r for r in queued.values() if r is not None])
        for task, result in queued.items():
            if result is not None and str(result.id) in waiting:
                continue
            result = enqueue(task)
            with _batches_lock:
                _batches[task] = result


def _still_waiting(results) -> set[str]:
    """Return the ids of those of the runs that wait in their queue, not started yet."""
    if not results:
        return set()
    if backend() == "database":
        # One query for them all, where asking each run to refresh itself costs one each.
        rows = DBTaskResult.objects.filter(
            id__in=[r.id for r in results], status=TaskResultStatus.READY
        ).values_list("id", "worker_ids")
        return {str(pk) for pk, workers in rows if not workers}
    return {str(r.id) for r in results if _waits(r)}


def _waits(result) -> bool:
    try:
        result.refresh()
    except Exception:  # noqa: BLE001 - gone, or its backend cannot say: queue another
        return False
    # A run that already failed once waits out its back-off (up to minutes): start another.
    return result.status == TaskResultStatus.READY and not result.worker_ids
