from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run a background worker for the configured task queue (database or Redis)."

    def add_arguments(self, parser):
        parser.add_argument("--burst", action="store_true", help="Run the queued tasks, then exit.")

    def handle(self, burst, **options):
        backend = settings.TASKS["default"]["BACKEND"]
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
