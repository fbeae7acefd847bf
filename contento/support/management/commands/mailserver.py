import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand

from contento.support.channels.email.server import DeskController


class Command(BaseCommand):
    help = "Receive the desk's inbound mail over SMTP (turns each message into a ticket)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=settings.MAIL_HOST)
        parser.add_argument("--port", type=int, default=settings.MAIL_PORT)

    def handle(self, host, port, **options):
        controller = DeskController(host, port)
        controller.start()
        self.stdout.write(f"Receiving mail on smtp://{host}:{port}/ (Ctrl+C to stop)")
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        try:
            stop.wait()
        except KeyboardInterrupt:
            pass
        finally:
            controller.stop()
