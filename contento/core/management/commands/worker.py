"""`contento worker`: the background workers, one process per lane, kept running.

Without `--lane` it supervises one process per lane (contento.core.queues.LANES), restarting
any that dies. With `--lane NAME` it is that one process: it runs the lane's queues in order
of priority, keeps its heartbeat, takes back the tasks of dead workers, and runs the
installation's scheduler (each periodic job once per period, whatever the number of
workers). `--burst` runs every queued task in this process, then exits.
"""

import os
import signal
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils.module_loading import import_string

from contento.core import queues
from contento.core.queues import LANES, NICE, QUEUES
from contento.core.scheduler import Scheduler
from contento.core.startup import warn_at_start
from contento.core.supervisor import Supervisor
from contento.core.worker import DatabaseWorker, Heartbeat


class Command(BaseCommand):
    help = "Run the background workers (one process per lane, restarted if one dies)."

    def add_arguments(self, parser):
        parser.add_argument("--lane", choices=sorted(LANES), help="Run one lane's process.")
        parser.add_argument("--burst", action="store_true", help="Run the queued tasks, then exit.")

    def handle(self, lane, burst, **options):
        backend = queues.backend()
        if backend == "immediate":
            self.stdout.write("Tasks run immediately; no worker is needed.")
            return
        if burst:
            warn_at_start()
            self._burst(backend)
        elif lane:  # started by `contento worker` or `contento serve`, which warned already
            self._lane(backend, lane)
        else:
            warn_at_start()
            self._supervise()

    def _supervise(self) -> None:
        argv = [sys.executable, "-m", "contento.cli", "worker", "--lane"]
        supervisor = Supervisor({f"worker:{name}": [*argv, name] for name in LANES})
        supervisor.start()
        self.stdout.write(f"Workers started: {supervisor.pids()}")
        stopped = []
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_args: stopped.append(True))
        while not stopped:
            signal.pause()
        supervisor.stop()

    def _burst(self, backend: str) -> None:
        # The periodic jobs run once, as a worker's first minute would run them.
        for path, _every in settings.PERIODIC_TASKS:
            import_string(path).enqueue()
        if backend == "redis":
            call_command("rqworker", *QUEUES, "--job-class", "django_tasks_rq.Job", "--burst")
            return
        DatabaseWorker(QUEUES, "burst", batch=True).run()

    def _lane(self, backend: str, lane: str) -> None:
        queues = LANES[lane]
        if NICE.get(lane):
            os.nice(NICE[lane])
        scheduler = Scheduler()
        if backend == "redis":
            # Imported here: django-rq refuses to load without the RQ_QUEUES of a Redis setup.
            from contento.core.rq import clean_registries

            heartbeat = Heartbeat("worker", lane, queues)
            heartbeat.on_beat.append(lambda: clean_registries(queues))
            heartbeat.start()
            scheduler.start()
            try:
                call_command(
                    "rqworker", *queues, "--job-class", "django_tasks_rq.Job", "--with-scheduler"
                )
            finally:
                scheduler.stop()
                heartbeat.stop()
            return
        worker = DatabaseWorker(queues, lane)

        def stop(*_args):
            if not worker.running:  # a second signal: give the task back and go
                raise SystemExit(1)
            worker.stop()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        scheduler.start()
        try:
            worker.run()
        finally:
            scheduler.stop()
