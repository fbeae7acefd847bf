"""The SMTP listener that takes the desk's inbound mail (`contento mailserver`).

aiosmtpd receives; each accepted message is handed to `inbound.receive` in the handler's
own thread (Django's ORM is synchronous), which keeps its database connection. Recipients the
desk does not serve are refused at RCPT time, an oversized message gets SMTP 552, and a
failure while storing answers 451 so that the sending server retries later instead of the
mail being lost.
"""

import asyncio
import logging
import threading
from concurrent.futures import ThreadPoolExecutor

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP
from django.conf import settings
from django.db import connections

from contento.core.errors import DATABASE_ERRORS
from contento.core.worker import keep_usable_connections
from contento.support.channels.email import inbound

log = logging.getLogger(__name__)


def _route(address: str) -> tuple[str, inbound.Route | None]:
    """Return the RCPT answer for `address` (accepted, unknown, or try again later), and its
    route when accepted."""
    keep_usable_connections()
    try:
        route = inbound.route([address])
    except inbound.Refused:
        return "550 5.1.1 No such mailbox here.", None
    except DATABASE_ERRORS:
        # The database is away (a restart): a permanent 550 would bounce the customer's mail;
        # a 451 makes the sending server try again in a few minutes.
        log.warning("recipient check failed: the database cannot be reached")
        connections.close_all()  # the next message connects again
        return "451 4.3.0 Cannot check the mailbox now; try again later.", None
    return "250 OK", route


def _receive(content: bytes, recipients: list[str], mail_from: str, route) -> str:
    keep_usable_connections()
    try:
        record = inbound.receive(content, recipients, mail_from=mail_from, route_=route)
    except inbound.Refused as refused:
        return f"{refused.smtp_code} {refused}"
    except Exception as error:
        log.exception("inbound mail failed")
        if isinstance(error, DATABASE_ERRORS):
            connections.close_all()  # the next message connects again
        return "451 4.3.0 Could not store the message now; try again later."
    return f"250 2.0.0 OK {record.outcome}"


class DeskHandler:
    """aiosmtpd handler: check recipients, then store each message as a ticket.

    The database work runs in one thread of the handler's own, which keeps its connection
    from one message to the next (opening one per message cost more than storing the
    message: a PostgreSQL backend process each time, SQLite's PRAGMAs). A connection that
    failed is dropped after the failure, and `close` drops it when the listener stops, so a
    restarted database or a test database being torn down is never held open.
    """

    def __init__(self):
        self._executor: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    def _run(self, function, *args):
        with self._lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(1, thread_name_prefix="desk-mail")
            executor = self._executor
        return asyncio.get_running_loop().run_in_executor(executor, function, *args)

    def close(self) -> None:
        """Close the database connection of the handler's thread, and the thread."""
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.submit(connections.close_all).result()
            executor.shutdown()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        answer, route = await self._run(_route, address)
        if answer.startswith("250"):
            envelope.rcpt_tos.append(address)
            if getattr(envelope, "desk_route", None) is None:
                envelope.desk_route = route  # what `inbound.route` finds for the recipients
        return answer

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        content = envelope.original_content or envelope.content
        if isinstance(content, str):
            content = content.encode("utf-8", "surrogateescape")
        if len(content) > settings.MAIL_MAX_BYTES:
            return "552 5.3.4 Message too big for this desk."
        return await self._run(
            _receive,
            content,
            list(envelope.rcpt_tos),
            envelope.mail_from or "",
            getattr(envelope, "desk_route", None),
        )


class DeskSMTP(SMTP):
    """aiosmtpd's server, taking lines as long as real mail has them.

    RFC 5321 caps a line at 1,000 octets, and aiosmtpd refuses longer ones with a permanent
    500; but Outlook and others send longer lines, and Postfix or Exchange accept them. So a
    long line is taken; only the whole message's size is limited (MAIL_MAX_BYTES).
    """

    line_length_limit = settings.MAIL_MAX_BYTES


class DeskController(Controller):
    """Run the listener in a background thread (the command and the tests use this)."""

    def __init__(self, host: str | None = None, port: int | None = None):
        super().__init__(
            DeskHandler(),
            hostname=host or settings.MAIL_HOST,
            port=settings.MAIL_PORT if port is None else port,
            data_size_limit=settings.MAIL_MAX_BYTES,
            decode_data=False,
            ident="Contento desk",
        )

    def factory(self):
        return DeskSMTP(self.handler, **self.SMTP_kwargs)

    def stop(self, *args, **kwargs):
        super().stop(*args, **kwargs)
        self.handler.close()
