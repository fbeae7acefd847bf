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

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

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
