import threading

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from contento.core.startup import warn_at_start

# Periodic jobs: (dotted path of a task, seconds between runs). Each is idempotent, so two
# workers enqueueing the same tick do no harm.
PERIODIC = [("contento.support.tasks.desk_tick", 60)]


def _enqueue(path: str) -> None:
    from django.utils.module_loading import import_string

    import_string(path).enqueue()


def _schedule(stop: threading.Event) -> None:
    elapsed = 0
    while not stop.wait(1):
        elapsed += 1
        for path, every in PERIODIC:
            if elapsed % every == 0:
                _enqueue(path)


class Command(BaseCommand):
    help = "Run a background worker for the configured task queue (database or Redis)."

    def add_arguments(self, parser):
        parser.add_argument("--burst", action="store_true", help="Run the queued tasks, then exit.")

    def handle(self, burst, **options):
        warn_at_start(self.stderr)
        backend = settings.TASKS["default"]["BACKEND"]
        # The periodic jobs run once at start; a long-running worker repeats them on schedule.
        for path, _every in PERIODIC:
            _enqueue(path)
        stop = threading.Event()
        if not burst:
            threading.Thread(target=_schedule, args=(stop,), daemon=True).start()
        try:
            self._run(backend, burst)
        finally:
            stop.set()

    def _run(self, backend, burst):
        if backend.endswith("RQBackend"):
            args = ["default", "--job-class", "django_tasks_rq.Job"]
            if burst:
                args.append("--burst")
            call_command("rqworker", *args)
        elif backend.endswith("DatabaseBackend"):
            args = ["--queue-name", "default", "--interval", "0.5"]
            if burst:
                args.append("--batch")
            call_command("db_worker", *args)
        else:
            self.stdout.write(f"Tasks run immediately with {backend}; no worker is needed.")
