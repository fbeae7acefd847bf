import argparse
import sys

from django.conf import settings
from django.core.management.base import BaseCommand
from gunicorn.app.base import BaseApplication

from contento.core import queues
from contento.core.queues import LANES
from contento.core.startup import warn_at_start
from contento.core.supervisor import Supervisor
from contento.env import env_bool, env_int, env_str


class _Gunicorn(BaseApplication):
    def __init__(self, options):
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        # Imported here, as gunicorn does: the application is loaded when the server starts.
        from contento.wsgi import application

        return application


class Command(BaseCommand):
    help = "Serve Contento over HTTP (gunicorn) with a background worker in the same command."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=env_str("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=env_int("PORT", 8000))
        parser.add_argument("--workers", type=int, default=env_int("WEB_WORKERS", 2))
        parser.add_argument("--threads", type=int, default=env_int("WEB_THREADS", 4))
        parser.add_argument("--no-worker", action="store_true", help="Do not start a task worker.")
        parser.add_argument(
            "--no-mail", action="store_true", help="Do not start the desk's SMTP listener."
        )
        parser.add_argument(
            "--access-log",
            action=argparse.BooleanOptionalAction,
            default=env_bool("ACCESS_LOG", True),
            help="Log every request (link tokens redacted); --no-access-log to leave it out.",
        )

    def handle(self, host, port, workers, threads, no_worker, no_mail, access_log, **options):
        warn_at_start()
        command = [sys.executable, "-m", "contento.cli"]
        children = {}
        if not no_mail:
            children["mail listener"] = [*command, "mailserver"]
            self.stdout.write(
                f"Desk mail listener on smtp://{settings.MAIL_HOST}:{settings.MAIL_PORT}/"
            )
        if not no_worker and queues.backend() != "immediate":
            for lane in LANES:
                children[f"worker:{lane}"] = [*command, "worker", "--lane", lane]
        # The worker and the listener are restarted if they die (kill -9, out of memory).
        supervisor = Supervisor(children)
        supervisor.start()
        if children:
            self.stdout.write(f"Started and watching: {', '.join(children)}.")
        self.stdout.write(f"Serving Contento at http://{host}:{port}/")
        try:
            _Gunicorn(
                {
                    "bind": f"{host}:{port}",
                    "workers": workers,
                    "threads": threads,
                    "accesslog": "-" if access_log else None,
                    "logger_class": "contento.logs.AccessLogger",
                    "timeout": 60,
                    "graceful_timeout": 10,
                }
            ).run()
        finally:
            supervisor.stop()
