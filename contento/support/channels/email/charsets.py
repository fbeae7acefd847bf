"""Decode the bytes and header words of real-world mail into text, whatever their labels say.

Mail in the wild is mislabelled as often as not: bodies declared ``us-ascii`` carry UTF-8,
``gb2312`` labels UTF-8, Microsoft aliases (``ks_c_5601-1987``) and Mac names
(``x-mac-cyrillic``) are unknown to Python's codec registry, and headers carry raw 8-bit bytes
that no RFC allows. Everything here decodes leniently and never raises.

Pure Python, no Django: the SMTP listener uses it too.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from contento.core.codepages import guess_codepage

# The languages of the workspace a message is read for: an undeclared charset is guessed
# among their code pages first (see contento.core.codepages).
_LANGUAGES: ContextVar[tuple[str, ...]] = ContextVar("mail_languages", default=())


@contextmanager
def reading_for(languages: tuple[str, ...] | list[str]) -> Iterator[None]:
    """Guess undeclared charsets among the code pages of these languages while inside."""
    token = _LANGUAGES.set(tuple(languages))
    try:
        yield
    finally:
        _LANGUAGES.reset(token)


# Labels whose codec Python lacks or whose real-world use is a superset of the label: decoding
# with the superset is what mail clients do (the WHATWG Encoding Standard makes the same calls).
_SUPERSETS: dict[str, str] = {
    "ks_c_5601-1987": "cp949",
    "ks_c_5601": "cp949",
    "ksc5601": "cp949",
    "ksc_5601": "cp949",
    "euc-kr": "cp949",
    "x-windows-949": "cp949",
    "gb2312": "gb18030",
    "gb_2312-80": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cn-gb": "gb18030",
    "csgb2312": "gb18030",
    "big5": "big5hkscs",
    "x-x-big5": "big5hkscs",
    "cn-big5": "big5hkscs",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "ms_kanji": "cp932",
    "windows-31j": "cp932",
    "iso-2022-jp": "iso2022_jp_ext",
    "csiso2022jp": "iso2022_jp_ext",
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "l1": "cp1252",
    "iso_8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "iso-8859-9": "cp1254",
    "iso-8859-11": "cp874",
    "tis-620": "cp874",
    "windows-874": "cp874",
    "iso-8859-8-i": "iso-8859-8",
    "iso-8859-8-e": "iso-8859-8",
    "iso-8859-6-i": "iso-8859-6",
    "iso-8859-6-e": "iso-8859-6",
    "unicode-1-1-utf-7": "utf-7",
    "utf8": "utf-8",
    "x-user-defined": "cp1252",
}

# Labels that mean "US-ASCII"; real mail under them is often UTF-8 or windows-1252.
_ASCII_LABELS = frozenset({"us-ascii", "ascii", "ansi_x3.4-1968", "iso646-us", "us", "646"})

_MIME_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=")
_HTML_META_CHARSET = re.compile(
    rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I
)


def resolve_charset(label: str | None) -> str | None:
    """Return the Python codec name for a MIME charset label, or None when it is unknown."""
    if not label:
        return None
    name = label.strip().strip("\"'").strip().lower()
    # RFC 2231 lets a language ride along ("utf-8*en"); some senders add junk after a space.
    name = name.split("*", 1)[0].split(None, 1)[0] if name else name
    if not name:
        return None
    if name in _ASCII_LABELS:
        return "ascii"
    name = _SUPERSETS.get(name, name)
    if name.startswith("x-mac-"):
        name = "mac-" + name[len("x-mac-") :]
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError):
        return None
    # codecs.lookup also finds bytes-to-bytes and str-to-str codecs (base64, rot13).
    if not getattr(info, "_is_text_encoding", True):
        return None
    return info.name


def _strict(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def decode_bytes(data: bytes, label: str | None = None, *, hint: str | None = None) -> str:
    """Decode ``data`` declared as ``label``; fall back to UTF-8, ``hint``, then windows-1252.

    Non-ASCII bytes that are valid UTF-8 are read as UTF-8 whatever the label says: text
    really in windows-1252, KOI8-R or GBK is almost never also valid UTF-8 (its high bytes
    would have to fall into UTF-8's lead/continuation pattern throughout), while UTF-8
    mislabelled as ``us-ascii``, ``iso-8859-1`` or ``gb2312`` is common. Otherwise the label
    wins when the bytes are valid in it.
    """
    if not data:
        return ""
    codec = resolve_charset(label)
    is_ascii = data.isascii()
    # ASCII bytes are ASCII text, except under the 7-bit encodings (ISO-2022 escapes, UTF-7)
    # and the UTF-16/32 family.
    seven_bit = codec is not None and codec.startswith(("iso2022", "utf-7", "utf-16", "utf-32"))
    if is_ascii and not seven_bit:
        return data.decode("ascii")
    candidates: list[str] = []
    if codec is not None and codec != "ascii":
        if seven_bit:
            candidates += [codec, "utf-8"]
        else:
            candidates += ["utf-8", codec]
    else:
        candidates.append("utf-8")
    hint_codec = resolve_charset(hint)
    if hint_codec and hint_codec != "ascii":
        candidates.append(hint_codec)
    for candidate in candidates:
        text = _strict(data, candidate)
        if text is not None:
            return text
    if codec is None or codec == "ascii":
        # Unlabelled bytes that are UTF-8 but for a stray or truncated sequence (a filename cut
        # at a byte limit, one garbage byte) read better as UTF-8 with a replacement character
        # than as windows-1252 mojibake; in real windows-1252 text nearly every non-ASCII byte
        # is invalid UTF-8.
        as_utf8 = data.decode("utf-8", errors="replace")
        non_ascii = sum(1 for byte in data if byte >= 0x80)
        if as_utf8.count("\ufffd") * 8 <= non_ascii:
            return as_utf8
    if codec is None or codec == "ascii":
        # No charset declared (or a false "us-ascii"): guess among the plausible code pages,
        # never openly (an open guess reads short KOI8-R as Japanese).
        final = guess_codepage(data, _LANGUAGES.get()) or "cp1252"
    else:
        final = codec
    try:
        return data.decode(final, errors="replace")
    except LookupError:
        return data.decode("utf-8", errors="replace")


def charset_from_html(data: bytes) -> str | None:
    """Return the charset an HTML document declares in a ``<meta>`` tag, if any."""
    match = _HTML_META_CHARSET.search(data[:4096])
    return match.group(1).decode("ascii", "replace") if match else None


def fix_raw_header(value: str, *, hint: str | None = None) -> str:
    """Turn raw 8-bit header bytes (kept by the parser as surrogate escapes) into text."""
    if value.isascii() or not any("\udc80" <= ch <= "\udcff" for ch in value):
        return value
    data = value.encode("utf-8", "surrogateescape")
    return decode_bytes(data, None, hint=hint)


def _decode_word_payload(encoding: str, payload: str) -> bytes:
    if encoding in "qQ":
        return binascii.a2b_qp(payload.encode("ascii", "replace"), header=True)
    cleaned = re.sub(r"[^A-Za-z0-9+/]", "", payload)
    if len(cleaned) % 4 == 1:
        cleaned = cleaned[:-1]
    cleaned += "=" * (-len(cleaned) % 4)
    try:
        return base64.b64decode(cleaned)
    except (binascii.Error, ValueError):
        return b""


def decode_header_value(value: str | None, *, hint: str | None = None) -> str:
    """Decode RFC 2047 encoded-words and raw 8-bit bytes in a header value; unfold it.

    Adjacent encoded-words in the same charset are joined before decoding, so a multi-byte
    character split across two words comes out whole; whitespace between encoded-words is
    dropped as RFC 2047 requires.
    """
    if not value:
        return ""
    text = fix_raw_header(str(value), hint=hint)
    text = re.sub(r"\r?\n[ \t]*", " ", text).replace("\r", "").replace("\n", " ")
    out: list[str] = []
    pending: list[bytes] = []
    pending_charset: str | None = None
    position = 0

    def flush() -> None:
        nonlocal pending, pending_charset
        if pending:
            out.append(decode_bytes(b"".join(pending), pending_charset, hint=hint))
        pending = []
        pending_charset = None

    for match in _MIME_WORD.finditer(text):
        between = text[position : match.start()]
        if between and (between.strip() or not pending):
            flush()
            out.append(between)
        charset = match.group(1).split("*", 1)[0]
        if pending and (resolve_charset(charset) != resolve_charset(pending_charset)):
            flush()
        pending.append(_decode_word_payload(match.group(2), match.group(3)))
        pending_charset = charset
        position = match.end()
    flush()
    out.append(text[position:])
    decoded = "".join(out)
    # Drop control characters a broken word may produce; keep tabs as spaces.
    decoded = "".join(" " if ch in "\t\r\n" else ch for ch in decoded if ch >= " " or ch in "\t")
    return re.sub(r" {2,}", " ", decoded).strip()
