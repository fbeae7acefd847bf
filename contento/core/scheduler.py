"""Periodic jobs, each run once per period across the whole installation.

`settings.PERIODIC_TASKS` lists (dotted path of a task, seconds between runs). Every worker
process runs a `Scheduler`; for each job's current slot (the time divided by its period) they
all try to insert a `PeriodicRun` row, and only the one whose insert succeeds queues the job.
So two workers, or two hosts, never run the desk's minute job twice in a minute, and when one
dies the others keep the schedule.
"""

import logging
import threading
import time

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from contento.core import queues
from contento.core.errors import DATABASE_ERRORS
from contento.core.models import PeriodicRun

log = logging.getLogger("contento.scheduler")


def claim(name: str, slot: int, then=None) -> bool:
    """Return True if this process is the one to run `name` for `slot` (and call `then`).

    On the database queue `then` (queueing the job) runs in the same transaction as the
    claim, so a slot is never claimed without its job; on Redis it runs after the commit.
    """
    database_queue = queues.backend() == "database"
    try:
        with transaction.atomic():
            PeriodicRun.objects.create(name=name, slot=slot)
            if then is not None and database_queue:
                then()
            elif then is not None:
                transaction.on_commit(then, robust=True)
    except IntegrityError:
        return False
    return True


def run_due(now=None, last: dict | None = None) -> list[str]:
    """Queue every periodic job whose slot this process wins; return their names.

    `last` remembers the slots already tried by this process, so a check every second costs
    one insert per job per period.
    """
    now = now or timezone.now()
    last = {} if last is None else last
    fired = []
    for path, every in settings.PERIODIC_TASKS:
        slot = int(now.timestamp() // every)
        if last.get(path) == slot:
            continue
        last[path] = slot
        if claim(path, slot, then=import_string(path).enqueue):
            fired.append(path)
    return fired


class Scheduler:
    """Check the periodic jobs every second from a thread of the worker process."""

    def __init__(self):
        self._stop = threading.Event()
        self._last: dict = {}
        self._thread = threading.Thread(target=self._run, name="scheduler", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        while not self._stop.wait(1):
            try:
                run_due(last=self._last)
            except DATABASE_ERRORS:
                log.warning("scheduler: the database cannot be reached")
                connection.close()
                self._last.clear()
                time.sleep(5)
            except Exception:
                log.exception("scheduler: a periodic job could not be queued")
        connection.close()
