"""Split a reply's plain text into what the sender wrote, the quoted history and the signature.

Mail clients mark quoted history in a handful of ways, each recognised here:

* an attribution line ("On Mon, 2 Apr 2012, Bob <bob@example.com> wrote:"), localised by the
  client ("El ... escribió:", "Le ... a écrit :", "Am ... schrieb ...:", "... написал(а):",
  "Vào ... đã viết:", "Pada ... menulis:", ...), sometimes wrapped over two or three lines;
* a separator ("-----Original Message-----", "----- Mensaje original -----", Gmail's
  "---------- Forwarded message ---------");
* an Outlook header block ("From: ... / Sent: ... / To: ... / Subject: ...", localised, often
  after a line of underscores), with no ``>`` markers at all;
* ``>`` quoting at the end of the message.

Everything from the first marker on is the quoted part. The signature is split off what remains:
the standard "-- " separator, or a "Sent from my iPhone" style line near the end. When the
split would leave nothing visible (a bare forward, a message that is all quote), the whole text
stays visible: hiding everything a customer sent is worse than showing a quote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Words that end an attribution line, by language: en, es/pt/gl, fr, de, nl, it, ru/uk, vi, id/ms,
# pl, sv/da/no, tr, cs, ja, zh, ko.
_WROTE = (
    r"wrote|writes|escribió|escreveu|a écrit|schrieb|schreef|ha scritto|scrisse|"
    r"написал\(а\)|написала|написал|написав|пишет|đã viết|viết|menulis|napisał\(a\)|napisała|"
    r"napisał|skrev|yazdı|napsal\(a\)|napsala|napsal|のメッセージ|が書きました|写道|작성"
)
_ATTRIBUTION_END = re.compile(
    rf"(?:(?:{_WROTE})\s*:?|\b(?:schrieb|schreef|skrev|kirjoitti)\b.{{0,200}}:)\s*$",
    re.IGNORECASE,
)
# Lines that begin an attribution spread over several lines ("On <date>, <name>" + "wrote:").
_ATTRIBUTION_START = re.compile(
    r"^(?:on|el|le|am|op|il|em|vào|pada|w dniu|den|dne|\d{1,4}[./-]\d{1,2}[./-]\d{1,4})\b",
    re.IGNORECASE,
)

_ADDRESS_COLON_END = re.compile(r"<?[^\s<>@]+@[^\s<>@]+>?\)?\s*:\s*$")

_SEPARATOR = re.compile(
    r"^\s*[-_=*]{2,}\s*(?:"
    r"original message|original-nachricht|ursprüngliche nachricht|message d'origine|"
    r"message original|mensaje original|mensagem original|messaggio originale|"
    r"oorspronkelijk bericht|исходное сообщение|пересылаемое сообщение|"
    r"thư gốc|tin nhắn gốc|pesan asli|pesan aslinya|wiadomość oryginalna|"
    r"forwarded message|weitergeleitete nachricht|message transféré|mensaje reenviado|"
    r"mensagem encaminhada|messaggio inoltrato|forwarded by .*|reply message"
    r")\s*[-_=*]{2,}\s*$",
    re.IGNORECASE,
)
_MAX_SCANNED_LINES = 5000
_UNDERSCORES = re.compile(r"^\s*_{10,}\s*$")

# Outlook's header block, localised: the "From" line, then at least one of the others.
_HEADER_FROM = re.compile(
    r"^\s*\*?(?:from|de|von|van|da|от|từ|dari|od|från|fra|kimden|发件人|差出人|보낸 사람)"
    r"\s*\*?\s*:",
    re.IGNORECASE,
)
_HEADER_OTHER = re.compile(
    r"^\s*\*?(?:sent|date|to|cc|subject|envoyé|à|objet|date d'envoi|enviado|fecha|para|asunto|"
    r"gesendet|an|betreff|datum|verzonden|aan|onderwerp|inviato|oggetto|a|"
    r"отправлено|дата|кому|тема|копия|đã gửi|ngày|đến|gửi|chủ đề|tiêu đề|"
    r"dikirim|tanggal|kepada|perihal|subjek|wysłano|temat|do|skickat|ämne|till|"
    r"gönderildi|konu|发送时间|收件人|主题|送信日時|宛先|件名|보낸 날짜|받는 사람|제목)\s*\*?\s*:",
    re.IGNORECASE,
)

_SIGNATURE_SEPARATOR = re.compile(r"^--\s*$")
_MOBILE_SIGNATURE = re.compile(
    r"^\s*(?:"
    r"sent from my |sent from |sent via |sent with |get outlook for |"
    r"enviado desde mi |enviado desde |enviado do meu |envoyé de mon |envoyé depuis |"
    r"von meinem .*gesendet|gesendet von |inviato da |verzonden met |verstuurd vanaf |"
    r"отправлено с |отправлено из |"
    r"gửi từ |được gửi từ |dikirim dari |dikirim dengan |wysłane z |skickat från "
    r")",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class SplitText:
    """A message text cut into what the sender wrote, the quoted history and the signature."""

    visible: str
    quoted: str
    signature: str


def _normalise(text: str) -> list[str]:
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _is_quote_line(line: str) -> bool:
    return line.lstrip().startswith(">")


def _next_is_quote(lines: list[str], index: int) -> bool:
    following = next((line for line in lines[index + 1 :] if line.strip()), "")
    return _is_quote_line(following)


def _is_interleaved(lines: list[str], start: int) -> bool:
    """Say whether the sender answered between quoted lines (or below the quote) after ``start``.

    Then the lines after the attribution are not history alone, and folding them would hide
    the answer.
    """
    seen_quote = False
    for line in lines[start + 1 :]:
        if _is_quote_line(line):
            seen_quote = True
        elif line.strip() and seen_quote:
            return True
    return False


def _attribution_at(lines: list[str], index: int) -> bool:
    """Say whether an attribution ("On ... wrote:") starts at ``lines[index]``."""
    line = lines[index].strip()
    if not line or _is_quote_line(line) or len(line) > 400:
        return False
    ends_with_colon = line.endswith((":", "："))
    if not ends_with_colon and not _ATTRIBUTION_START.match(line):
        return False  # cheap exit: every attribution ends with a colon or starts a wrapped one
    if (
        ends_with_colon
        and _ATTRIBUTION_END.search(line)
        and (
            _ATTRIBUTION_START.search(line)
            or "@" in line
            or re.search(r"\d", line)
            or _next_is_quote(lines, index)
        )
    ):
        return True
    # Gmail in some languages names no verb: "вт, 14 мая 2024 г. в 10:12, Анна <a@x.example>:".
    if (
        ends_with_colon
        and _ADDRESS_COLON_END.search(line)
        and re.search(r"\d", line)
        and _next_is_quote(lines, index)
    ):
        return True
    if not _ATTRIBUTION_START.search(line):
        return False
    # Wrapped attribution: the next one or two lines finish it.
    joined = line
    for follower in lines[index + 1 : index + 3]:
        follower = follower.strip()
        if not follower or _is_quote_line(follower):
            return False
        joined += " " + follower
        if follower.endswith((":", "：")) and _ATTRIBUTION_END.search(joined):
            return True
    return False


def _header_block_at(lines: list[str], index: int) -> bool:
    """Say whether an Outlook-style "From: / Sent: / To:" block starts at ``lines[index]``."""
    if not _HEADER_FROM.match(lines[index]):
        return False
    others = 0
    for follower in lines[index + 1 : index + 6]:
        if _HEADER_OTHER.match(follower):
            others += 1
        elif follower.strip() and others == 0:
            # A wrapped From line ("From: Long Name\n<addr>") is allowed once.
            continue
        else:
            break
    return others >= 1


def _quote_start(lines: list[str]) -> int | None:
    """Return the index of the first line of quoted history, or None when there is none."""
    # Markers sit near the top of real replies; scanning a huge text for them line by line
    # would only cost time.
    for index, line in enumerate(lines[:_MAX_SCANNED_LINES]):
        if _SEPARATOR.match(line):
            return index
        if _attribution_at(lines, index):
            return None if _is_interleaved(lines, index) else index
        if _UNDERSCORES.match(line) and index + 1 < len(lines):
            following = next((i for i in range(index + 1, len(lines)) if lines[i].strip()), None)
            if following is not None and _header_block_at(lines, following):
                return index
        if _header_block_at(lines, index):
            return index
    # No marker: a trailing run of ">" lines (blank lines allowed) is the quote.
    end = len(lines)
    while end > 0 and not lines[end - 1].strip():
        end -= 1
    start = end
    while start > 0 and (_is_quote_line(lines[start - 1]) or not lines[start - 1].strip()):
        start -= 1
    while start < end and not lines[start].strip():
        start += 1
    if start < end and _is_quote_line(lines[start]):
        return start
    return None


def _signature_start(lines: list[str]) -> int | None:
    """Return the index where the signature begins in the sender's own text, if any."""
    for index in range(len(lines) - 1, -1, -1):
        line = lines[index]
        if _SIGNATURE_SEPARATOR.match(line.rstrip("\n")) and len(lines) - index <= 15:
            return index
    tail_start = max(0, len(lines) - 4)
    for index in range(tail_start, len(lines)):
        if _MOBILE_SIGNATURE.match(lines[index]) and len(lines[index]) < 80:
            return index
    return None


def _join(lines: list[str]) -> str:
    return "\n".join(lines).strip("\n").rstrip()


def split_reply(text: str) -> SplitText:
    """Split ``text`` into the sender's new text, the quoted history and the signature."""
    lines = _normalise(text)
    start = _quote_start(lines)
    own, quoted = (lines, []) if start is None else (lines[:start], lines[start:])
    while own and not own[-1].strip():
        own.pop()
    signature_at = _signature_start(own)
    signature: list[str] = []
    if signature_at is not None:
        own, signature = own[:signature_at], own[signature_at:]
        if signature and _SIGNATURE_SEPARATOR.match(signature[0]):
            signature = signature[1:]
    visible = _join(own)
    if not visible.strip():
        # All quote or all signature: show it all rather than an empty message.
        return SplitText(visible=text.strip(), quoted="", signature="")
    return SplitText(visible=visible, quoted=_join(quoted), signature=_join(signature).strip())
