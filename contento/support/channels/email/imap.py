"""Poll a mailbox over IMAP for the desk's inbound mail (`contento pollmail`, and the worker).

The second way mail reaches the desk, for when the product cannot receive SMTP itself (a
hosted mailbox, no MX of one's own). `IMAP_URL` names the mailbox:

    imaps://user:password@host:993/INBOX?address=help@acme.test

`imaps` is IMAP over TLS (port 993 by default), `imap` is plain IMAP (port 143; for a server
on the same machine or network). The user and password are URL-encoded; the path is the
folder (INBOX when left out). `address`, optional, is the desk address the mailbox receives
for; without it a message is routed by its Delivered-To, X-Original-To, To and Cc headers,
then by the user name when it is an address, then to SUPPORT_EMAIL.

Each unread message is handed to `inbound.receive`, exactly like mail from the SMTP listener,
and then marked read. Fetching uses BODY.PEEK so that a message is marked read only once the
desk has it: a poll cut off half-way is finished by the next one, and a message received twice
is one record (`receive` keys on the Message-ID). A message the desk refuses or fails on is
logged and marked read too, so that it is not tried again every minute; it stays in the
mailbox, and marking it unread there tries it again. Only a database that is down stops a
poll and leaves the rest unread for the next one.
"""

import contextlib
import email.parser
import email.policy
import imaplib
import logging
import ssl
from collections import Counter
from dataclasses import dataclass, field
from email.utils import getaddresses
from urllib.parse import parse_qs, unquote, urlsplit

from django.conf import settings
from django.core.cache import cache
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from contento.support.channels.email import inbound

log = logging.getLogger(__name__)

DEFAULT_LIMIT = 100  # messages a poll takes; the rest wait for the next one
TIMEOUT = 30  # seconds for the connection and each command
_LOCK = "contento:support:imap-poll"
_LOCK_SECONDS = 600  # a poller that died keeps others out no longer than this
_RECIPIENT_HEADERS = ("Delivered-To", "X-Original-To", "To", "Cc")


class MailboxError(Exception):
    """The mailbox cannot be read: a bad URL, no connection, a refused login, no folder."""


@dataclass(frozen=True)
class Mailbox:
    """Where to poll, parsed from an IMAP URL."""

    tls: bool
    host: str
    port: int
    user: str
    password: str
    folder: str
    address: str

    def __str__(self) -> str:
        # Never the password: this is what logs and error messages show.
        scheme = "imaps" if self.tls else "imap"
        return f"{scheme}://{self.user}@{self.host}:{self.port}/{self.folder}"


@dataclass
class PollResult:
    """What one poll did. `error` is set when the mailbox could not be read (or not to the end)."""

    mailbox: str = ""
    fetched: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)  # InboundEmail outcome: count
    duplicates: int = 0  # already received (same Message-ID): nothing new
    failed: int = 0  # refused or failed: logged, marked read, not retried
    error: str = ""
    skipped: bool = False  # another poll of the mailbox was running

    def as_dict(self) -> dict:
        return {
            "fetched": self.fetched,
            **dict(self.outcomes),
            "duplicates": self.duplicates,
            "failed": self.failed,
            "error": self.error,
            "skipped": self.skipped,
        }


def parse_url(url: str) -> Mailbox:
    """Return the mailbox an `imap://` or `imaps://` URL names; raise `MailboxError` if bad."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as error:
        raise MailboxError(f"IMAP_URL is not a valid URL ({error}).") from None
    if parts.scheme not in {"imap", "imaps"}:
        raise MailboxError("IMAP_URL must start with imap:// or imaps://.")
    if not parts.hostname or not parts.username:
        raise MailboxError("IMAP_URL must name a user and a host: imaps://user:password@host/.")
    query = parse_qs(parts.query)
    tls = parts.scheme == "imaps"
    return Mailbox(
        tls=tls,
        host=parts.hostname,
        port=port or (993 if tls else 143),
        user=unquote(parts.username),
        password=unquote(parts.password or ""),
        folder=unquote(parts.path.strip("/")) or "INBOX",
        address=(query.get("address") or [""])[0].strip().lower(),
    )


def _quoted(value: str) -> str:
    """Return an IMAP quoted string (imaplib sends other arguments as they are)."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _connect(mailbox: Mailbox) -> imaplib.IMAP4:
    client: imaplib.IMAP4
    if mailbox.tls:
        context = ssl.create_default_context()
        client = imaplib.IMAP4_SSL(mailbox.host, mailbox.port, ssl_context=context, timeout=TIMEOUT)
    else:
        client = imaplib.IMAP4(mailbox.host, mailbox.port, timeout=TIMEOUT)
    try:
        # imaplib quotes the password itself; the user name only as given.
        client.login(_quoted(mailbox.user), mailbox.password)
        status, data = client.select(_quoted(mailbox.folder))
        if status != "OK":
            raise MailboxError(f"no folder {mailbox.folder!r} ({_text(data)})")
    except BaseException:
        _logout(client)
        raise
    return client


def _logout(client: imaplib.IMAP4) -> None:
    with contextlib.suppress(OSError, imaplib.IMAP4.error):
        client.logout()


def _text(data) -> str:
    return " ".join(
        d.decode("utf-8", "replace") if isinstance(d, bytes) else str(d) for d in data or [] if d
    )


def _why(error: Exception) -> str:
    """Return an error's text (imaplib puts the server's answer in it as bytes)."""
    if isinstance(error, imaplib.IMAP4.error):
        return _text(error.args) or type(error).__name__
    return str(error) or type(error).__name__


def _unread(client: imaplib.IMAP4, limit: int) -> list[bytes]:
    status, data = client.uid("SEARCH", "UNSEEN")
    if status != "OK":
        raise MailboxError(f"search failed ({_text(data)})")
    uids = b" ".join(d for d in data if d).split()
    # Oldest first, so that a message arrives before the replies to it.
    return sorted(uids, key=int)[:limit]


def _fetch(client: imaplib.IMAP4, uid: bytes) -> bytes | None:
    status, data = client.uid("FETCH", uid, "(BODY.PEEK[])")
    if status != "OK":
        raise MailboxError(f"fetch failed ({_text(data)})")
    for item in data:
        # A literal comes back as (b'1 (UID 7 BODY[] {123}', b'<message>'); the server may
        # send other untagged FETCH lines (flags) beside it.
        if isinstance(item, tuple) and b"BODY[" in item[0].upper():
            return bytes(item[1])
    return None  # gone meanwhile (expunged by another client)


def _mark_read(client: imaplib.IMAP4, uid: bytes) -> None:
    status, data = client.uid("STORE", uid, "+FLAGS", "(\\Seen)")
    if status != "OK":
        raise MailboxError(f"could not mark a message read ({_text(data)})")


def recipients(raw: bytes, mailbox: Mailbox) -> list[str]:
    """Return the addresses to route a polled message by, the most telling first.

    IMAP has no envelope: the configured address comes first, then the headers the receiving
    server wrote (Delivered-To, X-Original-To), then To and Cc (which also carry a reply's
    plus-address), then the mailbox's user name when it is an address, then SUPPORT_EMAIL.
    """
    found = [mailbox.address] if mailbox.address else []
    try:
        headers = email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(raw)
        for name in _RECIPIENT_HEADERS:
            values = [str(v) for v in headers.get_all(name) or []]
            found += [address for _name, address in getaddresses(values) if "@" in address]
    except Exception:  # noqa: BLE001 - broken headers: route by what is configured
        log.warning("could not read a polled message's recipients", exc_info=True)
    if "@" in mailbox.user:
        found.append(mailbox.user)
    found.append(settings.SUPPORT_EMAIL)
    return list(dict.fromkeys(a.strip().lower() for a in found if a.strip()))


def _deliver(raw: bytes, mailbox: Mailbox, uid: bytes, result: PollResult) -> None:
    """Hand one message to the desk and count what became of it."""
    at = timezone.now()
    try:
        record = inbound.receive(raw, recipients(raw, mailbox), at=at)
    except inbound.Refused as refused:
        result.failed += 1
        log.warning(
            "polled mail refused",
            extra={"mailbox": str(mailbox), "uid": uid.decode(), "why": str(refused)},
        )
        return
    except (OperationalError, InterfaceError):
        raise  # the database, not the message: leave it unread for the next poll
    except Exception:
        result.failed += 1
        log.exception("polled mail failed", extra={"mailbox": str(mailbox), "uid": uid.decode()})
        return
    # A new record carries our `at`; a Message-ID received before returns the first record.
    if record.received_at == at:
        result.outcomes[record.outcome] += 1
    else:
        result.duplicates += 1


def poll_mailbox(url: str | None = None, *, limit: int = DEFAULT_LIMIT) -> PollResult:
    """Turn the unread messages of the `IMAP_URL` mailbox into tickets; return what it did.

    Never raises for a mailbox that cannot be read: the result's `error` says why (and it is
    logged), so that the worker's periodic duties go on.
    """
    url = settings.IMAP_URL if url is None else url
    result = PollResult()
    try:
        mailbox = parse_url(url)
    except MailboxError as error:
        result.error = str(error)
        log.warning("mailbox not polled", extra={"error": result.error})
        return result
    result.mailbox = str(mailbox)
    # Two workers may run the periodic tick at once; one poll at a time is enough.
    if not cache.add(_LOCK, 1, _LOCK_SECONDS):
        result.skipped = True
        return result
    try:
        _poll(mailbox, limit, result)
    finally:
        cache.delete(_LOCK)
    return result


def _poll(mailbox: Mailbox, limit: int, result: PollResult) -> None:
    try:
        client = _connect(mailbox)
    except (OSError, imaplib.IMAP4.error, UnicodeError, MailboxError) as error:
        result.error = f"Could not read the mailbox {mailbox}: {_why(error)}"
        log.warning("mailbox not polled", extra={"mailbox": str(mailbox), "error": _why(error)})
        return
    try:
        for uid in _unread(client, limit):
            raw = _fetch(client, uid)
            if raw is None:
                continue
            result.fetched += 1
            _deliver(raw, mailbox, uid, result)
            _mark_read(client, uid)
    except (OSError, imaplib.IMAP4.error, MailboxError) as error:
        result.error = f"The mailbox {mailbox} stopped answering: {_why(error)}"
        log.warning("mailbox poll cut off", extra={"mailbox": str(mailbox), "error": _why(error)})
    except (OperationalError, InterfaceError) as error:
        result.error = f"The database is unavailable; the rest is left for the next poll: {error}"
        log.warning("mailbox poll stopped", extra={"mailbox": str(mailbox), "error": str(error)})
    finally:
        _logout(client)
    if result.fetched:
        # Nested: "created" and others are LogRecord attributes of their own.
        log.info("mailbox polled", extra={"mailbox": str(mailbox), "counts": result.as_dict()})
