"""Tell customer mail from auto-replies, read receipts and bounces, and read what bounces say.

The kinds follow what the desk must do with each message:

* ``message``: a person wrote it; it opens or continues a ticket.
* ``auto_reply``: machine-written (vacation notice, "Automatic reply", a read receipt): store it
  on the ticket, never answer it, never reopen the ticket for it.
* ``bounce``: a delivery failure or delay notice: mark the outbound message it returns as failed.

``is_bulk`` is separate: it says an automatic answer must not be sent (RFC 3834 section 2),
which is true of every machine-written message and also of mail a person sent through a list
(``Precedence: bulk``, ``List-Id``) or that asks for no auto-response
(``X-Auto-Response-Suppress``). Such a message is still a ``message`` when a person wrote it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from email.message import Message
from email.parser import HeaderParser
from email.utils import getaddresses

from contento.support.channels.email.charsets import decode_bytes, fix_raw_header

MESSAGE = "message"
AUTO_REPLY = "auto_reply"
BOUNCE = "bounce"

_DAEMON_LOCAL_PARTS = frozenset(
    {"mailer-daemon", "mailerdaemon", "mail-daemon", "maildaemon", "postmaster", "mdaemon"}
)

# Subjects of bounces, anchored at the start so a customer's "Fwd: Undeliverable: ..." stays
# a message. The strong ones name mail delivery outright; the weak ones could also be a
# customer writing about a parcel ("Delivery failed"), so they need a machine signal too.
_BOUNCE_SUBJECT_STRONG = re.compile(
    r"^\s*(?:"
    r"undeliverable\s*:|undeliverable mail|undelivered mail|delivery status notification|"
    r"mail delivery failed|mail delivery failure|returned mail\s*:|failure notice|"
    r"delivery notification\s*:|non remis\s*:|non distribuable|unzustellbar|"
    r"nicht zustellbar\s*:|недоставленное сообщение|ваше сообщение не доставлено"
    r")",
    re.IGNORECASE,
)
_BOUNCE_SUBJECT_WEAK = re.compile(
    r"^\s*(?:"
    r"undeliverable|delivery failure|delivery has failed|delivery failed|failed delivery|"
    r"message not delivered|delivery report|nondeliverable|non-deliverable|"
    r"mail system error|warning: could not send message|delayed mail|delivery delayed|"
    r"échec de la remise|rückläufer|no se puede entregar|mensaje no entregado|no entregado|"
    r"não entregue|non recapitabile|onbestelbaar|не доставлено|не удалось доставить|"
    r"không gửi được|không thể gửi|tidak terkirim|gagal terkirim|niedostarczalne|olevererbart"
    r")",
    re.IGNORECASE,
)

_AUTO_REPLY_SUBJECT = re.compile(
    r"^\s*(?:"
    r"auto(?:matic|matische|matisch)?[ _-]?(?:reply|response|respons|antwort|antwoord|answer)|"
    r"autoreply|autorespond|autorespons|auto:|out of (?:the )?office|ooo:|"
    r"away from (?:the )?office|vacation reply|"
    r"réponse automatique|réponse auto|absent du bureau|absence du bureau|"
    r"respuesta automática|respuesta automatica|fuera de la oficina|"
    r"resposta automática|fora do escritório|risposta automatica|"
    r"abwesenheitsnotiz|abwesenheit:|automatische antwort|"
    r"afwezigheidsbericht|automatisch antwoord|"
    r"автоответ|автоматический ответ|вне офиса|"
    r"trả lời tự động|phản hồi tự động|"
    r"balasan otomatis|balasan automatis|jawaban otomatis|di luar kantor|"
    r"odpowiedź automatyczna|automatyczna odpowiedź|"
    r"自動応答|自動返信|自动回复|자동 응답|자동회신"
    r")",
    re.IGNORECASE,
)

_READ_RECEIPT_SUBJECT = re.compile(
    r"^\s*(?:read|lu|leído|gelesen|прочитано|đã đọc|dibaca|read receipt|"
    r"return receipt|disposition notification)\s*:",
    re.IGNORECASE,
)

_ADDRESS = re.compile(r"[^\s<>()\[\]\"',;:]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_ID_IN_TEXT = re.compile(r"^\s*message-id\s*:\s*(<[^<>\s]+>)", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Classification:
    """The kind of a message and whether an automatic answer to it is forbidden."""

    kind: str
    is_bulk: bool
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class BounceReport:
    """What a bounce says about the message it returns."""

    recipients: tuple[str, ...] = ()
    original_message_id: str | None = None
    status: str | None = None
    action: str | None = None
    diagnostic: str | None = None

    @property
    def is_permanent(self) -> bool | None:
        """Say whether delivery failed for good (None when the bounce does not say)."""
        if self.action:
            return self.action.lower() == "failed"
        if self.status:
            return self.status.startswith("5")
        return None


def _header(msg: Message, name: str) -> str:
    value = msg.get(name)
    return fix_raw_header(str(value)).strip() if value is not None else ""


def _report_parts(msg: Message) -> Iterable[Message]:
    """Yield the parts of ``msg`` without walking into attached messages."""
    yield msg
    if not msg.is_multipart():
        return
    payload = msg.get_payload()
    if not isinstance(payload, list):
        return
    for part in payload:
        if isinstance(part, Message) and part.get_content_maintype() != "message":
            yield from _report_parts(part)
        elif isinstance(part, Message):
            yield part


def report_type(msg: Message) -> str | None:
    """Return ``delivery-status`` or ``disposition-notification`` when ``msg`` is a report."""
    for part in _report_parts(msg):
        content_type = part.get_content_type()
        if content_type in ("message/delivery-status", "message/global-delivery-status"):
            return "delivery-status"
        if content_type in (
            "message/disposition-notification",
            "message/global-disposition-notification",
        ):
            return "disposition-notification"
    if msg.get_content_type() == "multipart/report":
        declared = str(msg.get_param("report-type") or "").lower()
        if declared in ("delivery-status", "disposition-notification"):
            return declared
    return None


def classify(
    msg: Message, *, subject: str, from_address: str, report: str | None
) -> Classification:
    """Return the kind of ``msg`` and whether it must not be answered automatically."""
    reasons: list[str] = []
    auto_submitted = _header(msg, "Auto-Submitted").lower()
    precedence = _header(msg, "Precedence").lower()
    local_part = from_address.rsplit("@", 1)[0] if from_address else ""
    from_daemon = local_part in _DAEMON_LOCAL_PARTS

    bounce = False
    if report == "delivery-status":
        bounce = True
        reasons.append("delivery-status report")
    if msg.get("X-Failed-Recipients"):
        bounce = True
        reasons.append("X-Failed-Recipients")
    machine_sent = bool(
        from_daemon or auto_submitted or _header(msg, "Return-Path") in ("<>", "<MAILER-DAEMON>")
    )
    if _BOUNCE_SUBJECT_STRONG.search(subject) or (
        machine_sent and _BOUNCE_SUBJECT_WEAK.search(subject)
    ):
        bounce = True
        reasons.append("bounce subject")
    if from_daemon and local_part != "postmaster":
        bounce = True
        reasons.append("mailer-daemon sender")

    auto = False
    if report == "disposition-notification":
        auto = True
        reasons.append("read receipt")
    if auto_submitted and not auto_submitted.startswith("no"):
        auto = True
        reasons.append("Auto-Submitted")
    for name in ("X-Autoreply", "X-Autorespond", "X-Autogenerated", "X-AutoReply-From"):
        value = _header(msg, name).lower()
        if value and value not in ("no", "false", "0"):
            auto = True
            reasons.append(name)
    if _header(msg, "X-Apple-Action").upper() == "VACATION":
        auto = True
        reasons.append("X-Apple-Action")
    if precedence in ("auto_reply", "auto-reply"):
        auto = True
        reasons.append("Precedence auto_reply")
    if _AUTO_REPLY_SUBJECT.search(subject):
        auto = True
        reasons.append("auto-reply subject")
    if _READ_RECEIPT_SUBJECT.search(subject) and msg.get_content_type() == "multipart/report":
        auto = True
        reasons.append("read receipt subject")

    bulk = bounce or auto
    if precedence in ("bulk", "junk", "list"):
        bulk = True
        reasons.append(f"Precedence {precedence}")
    for name in ("List-Id", "List-Unsubscribe", "X-Auto-Response-Suppress", "Feedback-ID"):
        if msg.get(name) is not None:
            bulk = True
            reasons.append(name)
    if _header(msg, "Return-Path") == "<>":
        bulk = True
        reasons.append("null Return-Path")

    kind = BOUNCE if bounce else AUTO_REPLY if auto else MESSAGE
    return Classification(kind=kind, is_bulk=bulk, reasons=tuple(reasons))


def _field_address(value: str) -> str:
    """Return the address of a DSN field such as ``rfc822; user@example.com``."""
    _, _, address = value.partition(";")
    address = (address or value).strip().strip("<>").strip()
    return address.lower()


def _dsn_blocks(part: Message) -> list[Message]:
    payload = part.get_payload()
    if isinstance(payload, list):
        return [block for block in payload if isinstance(block, Message)]
    text = payload if isinstance(payload, str) else ""
    blocks = re.split(r"\r?\n\s*\r?\n", text.strip())
    return [HeaderParser().parsestr(block.strip() + "\n") for block in blocks if block.strip()]


def _original_headers(part: Message) -> Message | None:
    if part.get_content_type() in ("message/rfc822", "message/global"):
        payload = part.get_payload()
        if isinstance(payload, list) and payload and isinstance(payload[0], Message):
            return payload[0]
        return None
    payload = part.get_payload(decode=True)
    if isinstance(payload, bytes):
        return HeaderParser().parsestr(decode_bytes(payload, part.get_content_charset()))
    return None


def read_bounce(
    msg: Message,
    *,
    text: str,
    own_addresses: Iterable[str],
    normalise_id: Callable[[str], str | None],
) -> BounceReport:
    """Return the recipients, status and original Message-ID that a bounce reports."""
    recipients: list[str] = []
    status = action = diagnostic = None
    original_id: str | None = None
    for part in _report_parts(msg):
        content_type = part.get_content_type()
        if content_type in ("message/delivery-status", "message/global-delivery-status"):
            for block in _dsn_blocks(part):
                for name in ("Original-Recipient", "Final-Recipient"):
                    value = block.get(name)
                    if value:
                        address = _field_address(fix_raw_header(str(value)))
                        if "@" in address and address not in recipients:
                            recipients.append(address)
                        break
                status = status or (str(block.get("Status", "")).strip() or None)
                action = action or (str(block.get("Action", "")).strip().lower() or None)
                diagnostic = diagnostic or (
                    re.sub(r"\s+", " ", str(block.get("Diagnostic-Code", ""))).strip() or None
                )
        elif content_type in ("message/rfc822", "message/global", "text/rfc822-headers"):
            if part is msg:
                continue
            original = _original_headers(part)
            if original is not None and original_id is None:
                original_id = normalise_id(str(original.get("Message-ID", "")))
    for value in msg.get_all("X-Failed-Recipients") or []:
        for _, address in getaddresses([fix_raw_header(str(value))]):
            address = address.lower()
            if "@" in address and address not in recipients:
                recipients.append(address)
    if original_id is None:
        match = _ID_IN_TEXT.search(text)
        if match:
            original_id = normalise_id(match.group(1))
    if original_id is None:
        # Exchange and others thread their notice to the message that failed.
        original_id = normalise_id(str(msg.get("In-Reply-To", "")))
    if not recipients:
        own = {address.lower() for address in own_addresses}
        # Text-only bounces (Exim, Gmail) list the failed address alone on an indented line.
        for line in text.splitlines()[:60]:
            stripped = line.strip().strip("<>:").strip()
            if _ADDRESS.fullmatch(stripped) and stripped.lower() not in own:
                recipients.append(stripped.lower())
        recipients = list(dict.fromkeys(recipients))
    return BounceReport(
        recipients=tuple(recipients),
        original_message_id=original_id,
        status=status,
        action=action,
        diagnostic=diagnostic,
    )
