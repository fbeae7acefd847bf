"""Parse raw inbound mail (RFC 5322 bytes) into a typed, immutable :class:`ParsedMail`.

This is the one entry point the support desk's email channel uses: the SMTP listener, the IMAP
poller and the tests hand it bytes, and get back decoded headers, the body as text and
sanitised HTML, the reply split from its quoted history, the attachments (within limits), and
what kind of mail it is (a customer's message, an auto-reply or a bounce).

It never raises on bad input: real mail has broken structure, wrong charset labels, raw 8-bit
headers and absurd dates, and losing a customer's message to an exception is the worst outcome.
It imports nothing from Django.
"""

from __future__ import annotations

import io
import mimetypes
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import message_from_bytes
from email.generator import BytesGenerator
from email.message import Message
from email.policy import Compat32
from email.utils import getaddresses, parsedate_to_datetime

from contento.support.channels.email.charsets import (
    charset_from_html,
    decode_bytes,
    decode_header_value,
    fix_raw_header,
    reading_for,
    resolve_charset,
)
from contento.support.channels.email.classify import (
    BOUNCE,
    BounceReport,
    classify,
    read_bounce,
    report_type,
)
from contento.support.channels.email.markup import html_to_text, sanitize_html
from contento.support.channels.email.quoting import split_reply
from contento.support.channels.email.threads import (
    candidate_parent_ids,
    message_ids,
    normalise_message_id,
)

DEFAULT_MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024
DEFAULT_MAX_ATTACHMENTS = 100

TOO_LARGE = "too_large"
TOO_MANY = "too_many"

# Parts that describe the message rather than carry the customer's content.
_SIGNATURE_TYPES = frozenset(
    {"application/pgp-signature", "application/pkcs7-signature", "application/x-pkcs7-signature"}
)
_REPORT_TYPES = frozenset(
    {
        "message/delivery-status",
        "message/global-delivery-status",
        "message/disposition-notification",
        "message/global-disposition-notification",
        "text/rfc822-headers",
        "message/global-headers",
    }
)
_MESSAGE_TYPES = frozenset({"message/rfc822", "message/global"})
_MAX_HEADERS = 500
_MAX_DEPTH = 30


class _RawHeaderPolicy(Compat32):
    """Compat32, but header values come back as parsed: raw 8-bit bytes stay surrogate escapes.

    Compat32 turns them into a ``Header`` whose text has lost the bytes (U+FFFD); keeping them
    lets the charset code read them as UTF-8 or the message's own charset.
    """

    def header_fetch_parse(self, name: str, value: str) -> str:
        """Return the header value unchanged."""
        return value


_POLICY = _RawHeaderPolicy()


@dataclass(frozen=True, slots=True)
class Address:
    """One mailbox from an address header: display name (decoded) and lower-cased address."""

    name: str
    address: str


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file carried by the message.

    ``inline`` is true for images the HTML body shows through ``cid:`` references (the desk
    rewrites those references to the stored file); other parts are files the customer sent.
    ``content_id`` has no angle brackets, as it appears after ``cid:`` in the HTML.
    """

    filename: str
    content_type: str
    size: int
    content: bytes = field(repr=False)
    content_id: str | None = None
    inline: bool = False


@dataclass(frozen=True, slots=True)
class SkippedAttachment:
    """An attachment that was not kept, and why (``too_large`` or ``too_many``)."""

    filename: str
    content_type: str
    size: int
    reason: str


@dataclass(frozen=True, slots=True)
class ParsedMail:
    """An inbound message, decoded, split and classified.

    Text fields are Unicode NFC with ``\\n`` line ends. ``text`` is the whole body (the
    text/plain part, or text converted from the HTML part when there is none); ``visible_text``
    is what the sender wrote this time, ``quoted_text`` the history they quoted and
    ``signature`` their sign-off. ``html`` is sanitised and safe to show.
    """

    message_id: str | None
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]
    subject: str
    from_name: str
    from_address: str
    to: tuple[Address, ...]
    cc: tuple[Address, ...]
    reply_to: tuple[Address, ...]
    date: datetime | None
    text: str
    html: str
    visible_text: str
    quoted_text: str
    signature: str
    attachments: tuple[Attachment, ...]
    skipped_attachments: tuple[SkippedAttachment, ...]
    kind: str
    is_bulk: bool
    classification_reasons: tuple[str, ...]
    report_type: str | None
    bounce_recipients: tuple[str, ...]
    bounce_original_message_id: str | None
    bounce_status: str | None
    bounce_permanent: bool | None
    priority: str
    headers: tuple[tuple[str, str], ...] = field(repr=False)
    defects: tuple[str, ...] = ()
    # Which header the sender's address came from when From gave none ("" when From did).
    sender_source: str = ""

    @property
    def parent_message_ids(self) -> list[str]:
        """Return the ids to find the parent message by, best first."""
        return candidate_parent_ids(self.in_reply_to, self.references)

    @property
    def allows_auto_answer(self) -> bool:
        """Say whether an automatic acknowledgement may be sent (RFC 3834: never to bulk)."""
        return self.kind == "message" and not self.is_bulk and bool(self.from_address)

    def header(self, name: str) -> str | None:
        """Return the first value of header ``name`` (case-insensitive), decoded."""
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), None)


@dataclass
class _Body:
    plain: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)


@dataclass
class _RawAttachment:
    filename: str
    content_type: str
    content: bytes
    content_id: str | None


@dataclass
class _Walk:
    hint: str | None
    attachments: list[_RawAttachment] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    collect: bool = True


def parse_message(
    raw: bytes,
    *,
    max_attachment_bytes: int = DEFAULT_MAX_ATTACHMENT_BYTES,
    max_attachments: int = DEFAULT_MAX_ATTACHMENTS,
    languages: tuple[str, ...] | list[str] = (),
) -> ParsedMail:
    """Parse raw RFC 5322 bytes into a :class:`ParsedMail`; never raise on malformed mail.

    Attachments larger than ``max_attachment_bytes``, or beyond the first ``max_attachments``,
    are not kept; they are listed in ``skipped_attachments`` with the reason. Text without a
    declared charset is read in the code pages of ``languages`` first (the workspace's).
    """
    data = bytes(raw)
    with reading_for(languages):
        try:
            return _parse(data, max_attachment_bytes, max_attachments)
        except Exception as exc:  # noqa: BLE001 - a customer's mail must never be lost to a bug
            return _unparseable(data, exc)


_HEADER_LINE = re.compile(rb"^[\x21-\x39\x3b-\x7e]+[ \t]*:")


def _repair_header_block(data: bytes) -> bytes:
    """Re-indent header continuation lines that lost their leading whitespace.

    Some gateways (seen from Office 365) break a long header value onto a line of its own
    without folding whitespace; parsers then end the header block there and the remaining
    headers, Content-Type included, land in the body. A line that is not a header, followed
    by more headers before the blank line, can only be such a continuation.
    """
    lines = data[:262144].splitlines(keepends=True)
    header_end = next((i for i, line in enumerate(lines) if not line.strip(b"\r\n")), None)
    if header_end is None:
        return data
    block = lines[:header_end]
    last_header = max((i for i, line in enumerate(block) if _HEADER_LINE.match(line)), default=-1)
    broken = [
        i
        for i, line in enumerate(block[:last_header])
        if i > 0 and not line[:1].isspace() and not _HEADER_LINE.match(line)
    ]
    if not broken:
        return data
    for index in broken:
        block[index] = b" " + block[index]
    consumed = sum(len(line) for line in lines[:header_end])
    return b"".join(block) + data[consumed:]


def _parse(data: bytes, max_attachment_bytes: int, max_attachments: int) -> ParsedMail:
    msg = message_from_bytes(_repair_header_block(data), policy=_POLICY)
    hint = _charset_hint(msg)

    subject = _clean(decode_header_value(_raw_header(msg, "Subject"), hint=hint))
    sender, sender_source = _sender(msg, hint)
    message_id = normalise_message_id(_raw_header(msg, "Message-ID"))
    in_reply_to = _ids(msg, "In-Reply-To")
    references = _ids(msg, "References")

    walk = _Walk(hint=hint)
    body = _walk(msg, walk, depth=0)
    if not body.plain and not body.html:
        # Nothing of its own (a bare forward, a top-level message/rfc822): read the first
        # attached message instead, so the desk still shows text.
        for inner in walk.messages:
            inner_body = _walk(inner, _Walk(hint=hint, collect=False), depth=1)
            if inner_body.plain or inner_body.html:
                body = inner_body
                break

    raw_html = "\n".join(part for part in body.html if part.strip())
    if body.plain:
        text = "\n\n".join(part.strip("\n") for part in body.plain if part.strip())
    else:
        text = html_to_text(raw_html) if raw_html else ""
    text = _clean(text)
    html = _clean(sanitize_html(raw_html)) if raw_html else ""
    split = split_reply(text)

    attachments, skipped = _apply_limits(
        walk.attachments, raw_html, max_attachment_bytes, max_attachments
    )

    report = report_type(msg)
    classification = classify(msg, subject=subject, from_address=sender.address, report=report)
    to = _addresses(msg, "To", hint)
    bounce = BounceReport()
    if classification.kind == BOUNCE:
        bounce = read_bounce(
            msg,
            text=text,
            own_addresses=[a.address for a in (*to, sender)],
            normalise_id=normalise_message_id,
        )

    return ParsedMail(
        message_id=message_id,
        in_reply_to=tuple(in_reply_to),
        references=tuple(references),
        subject=subject,
        from_name=sender.name,
        from_address=sender.address,
        to=tuple(to),
        cc=tuple(_addresses(msg, "Cc", hint)),
        reply_to=tuple(_addresses(msg, "Reply-To", hint)),
        date=_date(_raw_header(msg, "Date")),
        text=text,
        html=html,
        visible_text=split.visible,
        quoted_text=split.quoted,
        signature=split.signature,
        attachments=tuple(attachments),
        skipped_attachments=tuple(skipped),
        kind=classification.kind,
        is_bulk=classification.is_bulk,
        classification_reasons=classification.reasons,
        report_type=report,
        bounce_recipients=bounce.recipients,
        bounce_original_message_id=bounce.original_message_id,
        bounce_status=bounce.status,
        bounce_permanent=bounce.is_permanent if classification.kind == BOUNCE else None,
        priority=_priority(msg),
        headers=_headers(msg, hint),
        defects=_defects(msg),
        sender_source=sender_source,
    )


# A mailbox as people write it; what a strict parser refuses may still hold one.
_ANGLE_ADDRESS = re.compile(r"<\s*([^<>\s@]+@[^<>\s@]+)\s*>")
_BARE_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
# A mailbox that could be written to (non-ASCII allowed, RFC 6532): local@host.tld.
_USABLE = re.compile(
    r"[^@\s<>()\[\],;:\\\"]+@(?:[^@\s<>()\[\],;:\\\".]+\.)+[^@\s<>()\[\],;:\\\".]+"
)


def _sender(msg: Message, hint: str | None) -> tuple[Address, str]:
    """Return who sent the message and which header said so ("" for From itself).

    A human can read an address where a strict parser cannot: From with an unquoted "@" in
    its display name (Office 365), raw UTF-8, a broken encoded word. So From is read
    strictly, then leniently, and only then do Sender, Reply-To and Return-Path stand in.
    """
    for name in ("From", "Sender", "Reply-To", "Return-Path"):
        found = _addresses(msg, name, hint) or _lenient_addresses(msg, name, hint)
        usable = [a for a in found if _USABLE.fullmatch(a.address)]
        if usable:
            return usable[0], "" if name == "From" else name
    return Address(name="", address=""), ""


def _lenient_addresses(msg: Message, name: str, hint: str | None) -> list[Address]:
    found: list[Address] = []
    for value in msg.get_all(name) or []:
        text = re.sub(r"\r?\n[ \t]*", " ", fix_raw_header(str(value), hint=hint))
        text = decode_header_value(text, hint=hint)
        for display, address in _getaddresses_leniently(text):
            address = address.strip().strip("<>").strip().lower()
            if _USABLE.fullmatch(address):
                found.append(Address(name=_clean(display), address=address))
        if found:
            continue
        angled = _ANGLE_ADDRESS.findall(text)
        candidates = angled or _BARE_ADDRESS.findall(text)
        if candidates:
            address = candidates[-1].strip().lower()
            display = text.split("<", 1)[0].strip().strip('"') if angled else ""
            found.append(Address(name=_clean(display), address=address))
    return found


def _getaddresses_leniently(text: str) -> list[tuple[str, str]]:
    # Python builds with the CVE-2023-27043 fix parse strictly unless told not to; older
    # ones have no `strict` argument and are lenient already.
    try:
        return getaddresses([text], strict=False)  # type: ignore[call-arg,unused-ignore]
    except TypeError:
        return getaddresses([text])


def _unparseable(data: bytes, exc: Exception) -> ParsedMail:
    """Return the message as one block of text when even lenient parsing failed."""
    text = _clean(decode_bytes(data, None))
    return ParsedMail(
        message_id=None,
        in_reply_to=(),
        references=(),
        subject="",
        from_name="",
        from_address="",
        to=(),
        cc=(),
        reply_to=(),
        date=None,
        text=text,
        html="",
        visible_text=text,
        quoted_text="",
        signature="",
        attachments=(),
        skipped_attachments=(),
        kind="message",
        is_bulk=False,
        classification_reasons=(),
        report_type=None,
        bounce_recipients=(),
        bounce_original_message_id=None,
        bounce_status=None,
        bounce_permanent=None,
        priority="normal",
        headers=(),
        defects=(f"unparseable: {type(exc).__name__}",),
    )


def _clean(text: str) -> str:
    """Normalise line ends and Unicode (NFC); drop NUL and other C0 controls but tab/newline."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", text)
    return unicodedata.normalize("NFC", text)


def _raw_header(msg: Message, name: str) -> str | None:
    value = msg.get(name)
    return None if value is None else str(value)


def _charset_hint(msg: Message) -> str | None:
    """Return the first non-ASCII charset the message declares, to read raw 8-bit headers."""
    for index, part in enumerate(msg.walk()):
        if index > 50:
            break
        charset = _param(part, "charset")
        if charset and charset.lower() not in ("us-ascii", "ascii", "utf-8", "utf8"):
            return charset
    return None


def _param(part: Message, name: str, header: str = "content-type") -> str | None:
    try:
        value = part.get_param(name, header=header)
    except (ValueError, TypeError, LookupError, IndexError):
        return None
    if value is None:
        return None
    if isinstance(value, tuple):
        return str(value[2])
    return str(value)


def _addresses(msg: Message, name: str, hint: str | None) -> list[Address]:
    values = msg.get_all(name) or []
    fixed = [re.sub(r"\r?\n[ \t]*", " ", fix_raw_header(str(value), hint=hint)) for value in values]
    found: list[Address] = []
    for display, address in getaddresses(fixed):
        address = address.strip().strip("<>").strip().lower()
        if "=?" in address or "@" not in address:
            continue
        found.append(Address(name=_clean(decode_header_value(display, hint=hint)), address=address))
    return found


def _ids(msg: Message, name: str) -> list[str]:
    ids: list[str] = []
    for value in msg.get_all(name) or []:
        for message_id in message_ids(str(value)):
            if message_id not in ids:
                ids.append(message_id)
    return ids


def _date(value: str | None) -> datetime | None:
    """Return an aware datetime, or None when the header is missing, garbled or absurd."""
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    # Dates before e-mail was common, or more than a year ahead, are clock errors or forgeries.
    if not 1980 <= parsed.year <= datetime.now(UTC).year + 1:
        return None
    return parsed


def _priority(msg: Message) -> str:
    x_priority = str(msg.get("X-Priority", "")).strip()[:1]
    importance = str(msg.get("Importance", "") or msg.get("Priority", "")).strip().lower()
    if x_priority in ("1", "2") or importance in ("high", "urgent"):
        return "high"
    if x_priority in ("4", "5") or importance in ("low", "non-urgent"):
        return "low"
    return "normal"


def _headers(msg: Message, hint: str | None) -> tuple[tuple[str, str], ...]:
    return tuple(
        (str(name), _clean(decode_header_value(str(value), hint=hint)))
        for name, value in msg.items()[:_MAX_HEADERS]
    )


def _defects(msg: Message) -> tuple[str, ...]:
    found: list[str] = []
    for index, part in enumerate(msg.walk()):
        if index > 1000:
            break
        for defect in getattr(part, "defects", []):
            name = type(defect).__name__
            if name not in found:
                found.append(name)
    return tuple(found)


def _is_attachment(part: Message) -> bool:
    disposition = (part.get_content_disposition() or "").lower()
    if disposition == "attachment":
        return True
    return bool(_param(part, "filename", "content-disposition") or _param(part, "name"))


def _payload_bytes(part: Message) -> bytes:
    try:
        payload = part.get_payload(decode=True)
    except (ValueError, TypeError, LookupError, AssertionError):
        payload = None
    if isinstance(payload, bytes):
        return payload
    raw = part.get_payload()
    if isinstance(raw, str):
        return raw.encode("utf-8", "surrogateescape")
    return b""


def _decode_text_part(part: Message, hint: str | None) -> str:
    data = _payload_bytes(part)
    charset = _param(part, "charset")
    if part.get_content_subtype() == "html" and resolve_charset(charset) is None:
        charset = charset_from_html(data) or charset
    text = decode_bytes(data, charset, hint=hint)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if part.get_content_subtype() == "plain" and (_param(part, "format") or "").lower() == "flowed":
        text = _unflow(text, delsp=(_param(part, "delsp") or "").lower() == "yes")
    return text


def _unflow(text: str, *, delsp: bool) -> str:
    """Join the soft-broken lines of a format=flowed text (RFC 3676)."""
    out: list[str] = []
    buffer = ""
    buffer_depth = -1
    for line in text.split("\n"):
        depth = len(line) - len(line.lstrip(">"))
        content = line[depth:]
        if content.startswith(" "):
            content = content[1:]  # space-stuffing
        if buffer and depth != buffer_depth:
            out.append(">" * buffer_depth + (" " if buffer_depth else "") + buffer)
            buffer = ""
        buffer_depth = depth
        if content.endswith(" ") and content.rstrip() != "--":
            buffer += content[:-1] if delsp else content
            continue
        out.append(">" * depth + (" " if depth else "") + buffer + content)
        buffer = ""
    if buffer:
        out.append(">" * buffer_depth + (" " if buffer_depth else "") + buffer)
    return "\n".join(out)


def _walk(part: Message, walk: _Walk, depth: int) -> _Body:
    """Collect the body texts of ``part`` and, when collecting, its attachments."""
    body = _Body()
    if depth > _MAX_DEPTH:
        return body
    content_type = part.get_content_type()
    maintype = part.get_content_maintype()
    if content_type in _REPORT_TYPES or content_type in _SIGNATURE_TYPES:
        return body
    if content_type in _MESSAGE_TYPES or (maintype == "message" and part.is_multipart()):
        payload = part.get_payload()
        inner = payload[0] if isinstance(payload, list) and payload else None
        if isinstance(inner, Message):
            walk.messages.append(inner)
            if walk.collect:
                walk.attachments.append(_message_attachment(part, inner, walk.hint))
        return body
    if part.is_multipart():
        payload = part.get_payload()
        children = [child for child in payload if isinstance(child, Message)]
        if content_type == "multipart/signed" and children:
            children = [c for c in children if c.get_content_type() not in _SIGNATURE_TYPES]
        results = [_walk(child, walk, depth + 1) for child in children]
        if content_type == "multipart/alternative":
            body.plain = next((r.plain for r in results if r.plain), [])
            body.html = next((r.html for r in reversed(results) if r.html), [])
        else:
            for result in results:
                body.plain += result.plain
                body.html += result.html
        return body
    if maintype == "multipart":
        # Declared multipart but unsplittable (no boundary, no parts): read it as text.
        text = decode_bytes(_payload_bytes(part), None, hint=walk.hint)
        body.plain.append(text.replace("\r\n", "\n"))
        return body
    if content_type in ("text/plain", "text/html") and not _is_attachment(part):
        text = _decode_text_part(part, walk.hint)
        (body.plain if content_type == "text/plain" else body.html).append(text)
        return body
    if walk.collect:
        walk.attachments.append(
            _RawAttachment(
                filename=_filename(part, walk.hint, content_type),
                content_type=content_type,
                content=_payload_bytes(part),
                content_id=_content_id(part),
            )
        )
    return body


def _message_attachment(part: Message, inner: Message, hint: str | None) -> _RawAttachment:
    buffer = io.BytesIO()
    try:
        BytesGenerator(buffer, mangle_from_=False, policy=_POLICY).flatten(inner)
        content = buffer.getvalue()
    except (ValueError, TypeError, LookupError, UnicodeError, AttributeError):
        content = inner.as_string().encode("utf-8", "surrogateescape")
    filename = _filename(part, hint, "message/rfc822", default="")
    if not filename:
        subject = decode_header_value(_raw_header(inner, "Subject"), hint=hint)
        filename = _safe_filename(f"{subject or 'message'}.eml")
    return _RawAttachment(
        filename=filename,
        content_type="message/rfc822",
        content=content,
        content_id=_content_id(part),
    )


def _content_id(part: Message) -> str | None:
    value = part.get("Content-ID")
    if value is None:
        return None
    cid = re.sub(r"\s+", "", str(value)).strip("<>")
    return cid or None


def _filename(
    part: Message, hint: str | None, content_type: str, default: str | None = None
) -> str:
    """Return the decoded, path-free filename of a part, or a generated one."""
    for name, header in (("filename", "content-disposition"), ("name", "content-type")):
        try:
            value = part.get_param(name, header=header)
        except (ValueError, TypeError, LookupError, IndexError):
            continue
        if not value:
            continue
        if isinstance(value, tuple):  # RFC 2231: (charset, language, percent-decoded text)
            charset, _language, text = value
            decoded = decode_bytes(str(text).encode("latin-1", "surrogateescape"), charset)
        else:
            decoded = decode_header_value(str(value).strip('"'), hint=hint)
        filename = _safe_filename(decoded)
        if filename:
            return filename
    if default is not None:
        return default
    if content_type == "application/ms-tnef":
        return "winmail.dat"
    extension = mimetypes.guess_extension(content_type, strict=False) or ".bin"
    if content_type == "text/calendar":
        extension = ".ics"
    return f"attachment{extension}"


def _safe_filename(name: str) -> str:
    name = unicodedata.normalize("NFC", name)
    name = re.sub(r"[\x00-\x1f\x7f]", "", name)
    name = re.split(r"[\\/]", name)[-1].strip().strip(".").strip()
    if len(name) > 200:
        stem, dot, extension = name.rpartition(".")
        name = (stem[: 200 - len(extension) - 1] + dot + extension) if dot else name[:200]
    return name


def _apply_limits(
    raw: Iterable[_RawAttachment], html: str, max_bytes: int, max_count: int
) -> tuple[list[Attachment], list[SkippedAttachment]]:
    referenced = {cid.lower() for cid in re.findall(r"cid:([^\s\"'>)]+)", html, re.IGNORECASE)}
    kept: list[Attachment] = []
    skipped: list[SkippedAttachment] = []
    for item in raw:
        size = len(item.content)
        if size > max_bytes:
            reason = TOO_LARGE
        elif len(kept) >= max_count:
            reason = TOO_MANY
        else:
            inline = item.content_id is not None and item.content_id.lower() in referenced
            kept.append(
                Attachment(
                    filename=item.filename,
                    content_type=item.content_type,
                    size=size,
                    content=item.content,
                    content_id=item.content_id,
                    inline=inline,
                )
            )
            continue
        skipped.append(
            SkippedAttachment(
                filename=item.filename, content_type=item.content_type, size=size, reason=reason
            )
        )
    return kept, skipped
