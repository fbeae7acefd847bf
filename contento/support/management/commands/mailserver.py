import signal
import sys
import threading

from django.conf import settings
from django.core.management.base import BaseCommand

from contento.core.models import ProcessBeat
from contento.core.supervisor import EXIT_UNAVAILABLE
from contento.core.worker import Heartbeat
from contento.support.channels.email.server import DeskController


class Command(BaseCommand):
    help = "Receive the desk's inbound mail over SMTP (turns each message into a ticket)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=settings.MAIL_HOST)
        parser.add_argument("--port", type=int, default=settings.MAIL_PORT)

    def handle(self, host, port, **options):
        controller = DeskController(host, port)
        try:
            controller.start()
        except OSError as error:  # the port is taken (another listener), or not ours to use
            self.stderr.write(
                f"Cannot receive mail on smtp://{host}:{port}/: {error}. Another listener may "
                "already run on this host; set MAIL_PORT or use --no-mail."
            )
            sys.exit(EXIT_UNAVAILABLE)
        heartbeat = Heartbeat(ProcessBeat.Kind.MAIL, lane=f"{host}:{port}")
        heartbeat.start(wait_for_database=False)  # mail is taken even while the database is away
        self.stdout.write(f"Receiving mail on smtp://{host}:{port}/ (Ctrl+C to stop)")
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        try:
            stop.wait()
        except KeyboardInterrupt:
            pass
        finally:
            heartbeat.stop()
            controller.stop()
