"""The SMTP listener that takes the desk's inbound mail (`contento mailserver`).

aiosmtpd receives; each accepted message is handed to `inbound.receive` in a worker thread
(Django's ORM is synchronous). Recipients the desk does not serve are refused at RCPT time,
an oversized message gets SMTP 552, and a failure while storing answers 451 so that the
sending server retries later instead of the mail being lost.
"""

import logging

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections, connections

from contento.core.errors import DATABASE_ERRORS
from contento.support.channels.email import inbound

log = logging.getLogger(__name__)


def _route(address: str) -> str:
    """Return the RCPT answer for `address`: accepted, unknown, or try again later."""
    close_old_connections()
    try:
        inbound.route([address])
    except inbound.Refused:
        return "550 5.1.1 No such mailbox here."
    except DATABASE_ERRORS:
        # The database is away (a restart): a permanent 550 would bounce the customer's mail;
        # a 451 makes the sending server try again in a few minutes.
        log.warning("recipient check failed: the database cannot be reached")
        return "451 4.3.0 Cannot check the mailbox now; try again later."
    finally:
        connections.close_all()
    return "250 OK"


def _receive(content: bytes, recipients: list[str], mail_from: str) -> str:
    close_old_connections()
    try:
        record = inbound.receive(content, recipients, mail_from=mail_from)
    except inbound.Refused as refused:
        return f"{refused.smtp_code} {refused}"
    except Exception:
        log.exception("inbound mail failed")
        return "451 4.3.0 Could not store the message now; try again later."
    finally:
        # The listener's thread holds no connection between messages (a restarted or
        # dropped database, or a test database being torn down, is never held open).
        connections.close_all()
    return f"250 2.0.0 OK {record.outcome}"


class DeskHandler:
    """aiosmtpd handler: check recipients, then store each message as a ticket."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        answer = await sync_to_async(_route, thread_sensitive=True)(address)
        if answer.startswith("250"):
            envelope.rcpt_tos.append(address)
        return answer

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        content = envelope.original_content or envelope.content
        if isinstance(content, str):
            content = content.encode("utf-8", "surrogateescape")
        if len(content) > settings.MAIL_MAX_BYTES:
            return "552 5.3.4 Message too big for this desk."
        return await sync_to_async(_receive, thread_sensitive=True)(
            content, list(envelope.rcpt_tos), envelope.mail_from or ""
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
