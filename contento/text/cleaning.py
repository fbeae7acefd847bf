"""Turn whatever a caller hands in into clean text that every model can take.

Survey answers and support messages arrive as HTML from e-mail, with lone surrogates from
broken clients, control characters from copy-paste, or as ``None``. Cleaning never raises:
anything that is not text becomes the empty string.
"""

import html
import re
import unicodedata

# Characters kept for models: about 512 tokens of e5, which windows longer text at extra cost.
MAX_CHARS = 2000

_TAG = re.compile(r"<(script|style)\b.*?</\1\s*>|<[^>]{0,500}>", re.IGNORECASE | re.DOTALL)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\ufeff]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_SPACE = re.compile(r"\s+")
# Placeholders that anonymised exports put in place of people and links; they say nothing
# about language or feeling.
_PLACEHOLDER = re.compile(
    r"\[(?:USERNAME|URL|USER|LINK)\]|(?<!\w)@\w+|https?://\S+|www\.\S+|(?<!\w)(?:USER|URL)(?!\w)",
    re.IGNORECASE,
)
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)


def clean(text: object, max_chars: int = MAX_CHARS) -> str:
    """Return ``text`` as clean, normalised, truncated plain text ('' for anything unusable)."""
    if text is None:
        return ""
    if isinstance(text, bytes | bytearray | memoryview):
        text = bytes(text).decode("utf-8", errors="replace")
    if not isinstance(text, str):
        return ""
    # Cut very long input early so that the regular expressions below stay linear and cheap.
    text = text[: max_chars * 4]
    text = _SURROGATE.sub("", text)
    if "<" in text and ">" in text:
        text = _TAG.sub(" ", text)
    if "&" in text:
        text = html.unescape(text)
    text = unicodedata.normalize("NFC", text)
    text = _CONTROL.sub(" ", text)
    text = text.replace("\ufffd", " ")
    text = _SPACE.sub(" ", text).strip()
    if len(text) > max_chars:
        # Cut at a word boundary so that no half word reaches the tokenizer.
        cut = text.rfind(" ", 0, max_chars)
        text = text[: cut if cut > max_chars // 2 else max_chars]
    return text


def strip_placeholders(text: str) -> str:
    """Return ``text`` without @mentions, links and anonymisation tokens such as [USERNAME]."""
    return _SPACE.sub(" ", _PLACEHOLDER.sub(" ", text).replace("#", " ")).strip()


def letter_count(text: str) -> int:
    """Return how many letters (of any script) ``text`` holds."""
    return len(_LETTER.findall(text))
