"""Find the ticket an inbound message belongs to: message ids, subject tags and plus-addresses.

Pure functions over header values, so the desk's ticket lookup can call them and tests can pin
them without a database.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

_BRACKETED = re.compile(r"<([^<>]*)>")
_BARE = re.compile(r"[^\s<>,;\"()]+@[^\s<>,;\"()]+")
_VALID_ID = re.compile(r"[^\s<>@]+@[^\s<>@]+")

# "Re:", "Fwd:", and their localised and numbered forms ("RE[2]:", "AW:", "R:", "I:", "Відп:").
_REPLY_PREFIX = re.compile(
    r"^\s*(?:(?:re|fw|fwd|aw|wg|sv|vs|vb|antw|rif|r|i|tr|res|enc|odp|ynt|atb|rv|"
    r"ответ|отв|пересл|trả lời|tl|chuyển tiếp|balas|reenviar|"
    r"回复|转发|回覆|返信|転送|답장|전달)"
    r"\s*(?:\[\d+\]|\(\d+\))?\s*[:：]\s*)+",
    re.IGNORECASE,
)


def normalise_message_id(value: str | None) -> str | None:
    """Return the first valid message id in ``value`` as ``<left@right>``, or None."""
    ids = message_ids(value)
    return ids[0] if ids else None


def message_ids(value: str | None) -> list[str]:
    """Return the valid message ids in a header value (In-Reply-To, References), in order.

    Ids are returned as ``<left@right>``; malformed entries (whitespace inside, no ``@``) are
    dropped, duplicates are kept once. Ids without angle brackets are accepted only when the
    header has no bracketed id at all (some senders write ``In-Reply-To: id@host``).
    """
    if not value:
        return []
    text = re.sub(r"\s*\r?\n\s*", " ", str(value))
    candidates = _BRACKETED.findall(text)
    if not candidates and "<" not in text:
        candidates = _BARE.findall(text)
    found: list[str] = []
    for candidate in candidates:
        candidate = candidate.strip()
        if _VALID_ID.fullmatch(candidate):
            normalised = f"<{candidate}>"
            if normalised not in found:
                found.append(normalised)
    return found


def candidate_parent_ids(in_reply_to: Sequence[str], references: Sequence[str]) -> list[str]:
    """Return the ids to look a parent up by, best first.

    In-Reply-To names the direct parent; References lists the ancestry oldest first, so it is
    read from the end: the nearest ancestor the desk knows is the best match.
    """
    ordered: list[str] = []
    for message_id in [*in_reply_to, *reversed(references)]:
        if message_id not in ordered:
            ordered.append(message_id)
    return ordered


def ticket_reference_from_subject(subject: str, prefix: str = "") -> str | None:
    """Return the ticket reference tagged in a subject, e.g. ``AB12CD`` in ``Re: [#AB12CD] ...``.

    With a ``prefix`` ("Ticket") the tag may also read ``[Ticket #1042]``; the bare ``[#...]``
    form is always recognised. The last tag wins, since replies prepend but forwards of other
    desks' mail may carry an older tag first.
    """
    if not subject:
        return None
    optional = rf"(?:{re.escape(prefix.strip())}\s*)?" if prefix.strip() else ""
    pattern = re.compile(rf"\[\s*{optional}#\s*([A-Za-z0-9][A-Za-z0-9_-]{{0,63}})\s*\]", re.I)
    matches = pattern.findall(subject)
    return matches[-1] if matches else None


def ticket_reference_from_address(address: str, mailbox: str | None = None) -> str | None:
    """Return the tag of a plus-address, e.g. ``AB12CD`` for ``support+AB12CD@example.com``.

    With ``mailbox`` the address must be that mailbox plus a tag (same local part and domain,
    compared case-insensitively); without it any tagged address counts.
    """
    local, at, domain = (address or "").strip().strip("<>").rpartition("@")
    if not at or "+" not in local:
        return None
    base, _, tag = local.partition("+")
    if not tag or not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", tag):
        return None
    if mailbox is not None:
        mailbox_local, _, mailbox_domain = mailbox.strip().rpartition("@")
        if (base.lower(), domain.lower()) != (mailbox_local.lower(), mailbox_domain.lower()):
            return None
    return tag


def ticket_reference_from_addresses(addresses: Iterable[str], mailbox: str) -> str | None:
    """Return the first plus-address tag among ``addresses`` that belongs to ``mailbox``."""
    for address in addresses:
        reference = ticket_reference_from_address(address, mailbox)
        if reference:
            return reference
    return None


def strip_reply_prefixes(subject: str) -> str:
    """Return ``subject`` without its "Re:", "Fwd:", "AW:", "R: I:"... prefixes."""
    return _REPLY_PREFIX.sub("", subject or "").strip()
