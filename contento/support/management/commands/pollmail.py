import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from contento.support.channels.email import imap


class Command(BaseCommand):
    help = (
        "Fetch the unread mail of the IMAP_URL mailbox and turn it into tickets (the worker "
        "also does this every minute when IMAP_URL is set)."
    )

    def add_arguments(self, parser):
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--once", action="store_true", help="Poll once and exit (the default).")
        mode.add_argument(
            "--watch", action="store_true", help="Poll every --interval seconds until stopped."
        )
        parser.add_argument("--interval", type=float, default=60.0)
        parser.add_argument("--limit", type=int, default=imap.DEFAULT_LIMIT)

    def handle(self, once, watch, interval, limit, **options):
        if not settings.IMAP_URL:
            raise CommandError("IMAP_URL is not set: there is no mailbox to poll.")
        if not watch:
            result = self._poll(limit)
            if result.error:
                raise CommandError(result.error)
            return
        try:
            while True:
                result = self._poll(limit)
                if result.error:
                    self.stderr.write(result.error)
                time.sleep(interval)
        except KeyboardInterrupt:
            pass

    def _poll(self, limit: int) -> imap.PollResult:
        result = imap.poll_mailbox(limit=limit)
        if result.skipped:
            self.stdout.write(f"{result.mailbox}: another poll is running; nothing done.")
        elif not result.error or result.fetched:
            created, appended = result.outcomes["created"], result.outcomes["appended"]
            kept = sum(result.outcomes.values()) - created - appended
            self.stdout.write(
                f"{result.mailbox}: fetched {result.fetched} message(s): {created} new "
                f"ticket(s), {appended} added to tickets, {kept} kept without a reply "
                f"(auto-replies, bounces, loops, rejected), {result.duplicates} already "
                f"received, {result.failed} failed."
            )
        return result
