"""Read text whose encoding nobody declared: mail without a charset, a CSV saved by Excel.

UTF-8 is tried first (text in a legacy code page is almost never valid UTF-8). Otherwise the
encoding is guessed with charset-normalizer, but only among the code pages people really use
for the product's languages: an open guess on short text is often wrong (Russian KOI8-R read
as Japanese cp932, French windows-1252 as Central European windows-1250), while a guess among
a handful of plausible pages is reliable. The languages given first (a workspace's own) win
a tie.

Django-free: the mail parser and the importers both use it.
"""

from __future__ import annotations

from charset_normalizer import from_bytes

# The legacy (pre-Unicode) code pages in real use for each of the product's languages.
CODEPAGES: dict[str, tuple[str, ...]] = {
    "en": ("cp1252",),
    "es": ("cp1252", "iso8859_15"),
    "fr": ("cp1252", "iso8859_15"),
    "id": ("cp1252",),
    "ru": ("cp1251", "koi8_r"),
    "vi": ("cp1258",),
}
LANGUAGES = tuple(CODEPAGES)


def plausible_codepages(languages: tuple[str, ...] | list[str] = ()) -> list[str]:
    """Return the code pages to consider: those of `languages` first, then the others'."""
    pages: list[str] = []
    for language in (*languages, *LANGUAGES):
        for page in CODEPAGES.get(language, ()):
            if page not in pages:
                pages.append(page)
    return pages


def guess_codepage(data: bytes, languages: tuple[str, ...] | list[str] = ()) -> str | None:
    """Return the most plausible legacy code page of `data`, or None if none reads it."""
    pages = plausible_codepages(languages)
    try:
        matches = from_bytes(data, cp_isolation=pages)
    except Exception:  # noqa: BLE001 - a guess that fails is no guess
        return None
    if not matches:
        return None
    best_chaos = min(match.chaos for match in matches)
    tied = [m for m in matches if m.chaos <= best_chaos + 0.01 and m.encoding in pages]
    if not tied:
        return None
    # Among equally plausible readings (short texts often tie): the one whose words are cased
    # as words are ("Не", not "оЕ"), then the more coherent language, then the page of the
    # languages given first.
    return min(
        tied,
        key=lambda match: (
            _miscased_words(str(match)),
            -match.coherence,
            pages.index(match.encoding),
        ),
    ).encoding


def _miscased_words(text: str) -> int:
    """Count words that are neither lower-case, UPPER-CASE nor Title-case ("оЕ", "пРИВЕТ")."""
    return sum(
        1
        for word in text.split()
        if (letters := "".join(ch for ch in word if ch.isalpha()))
        and not (letters.islower() or letters.isupper() or letters.istitle())
    )


def decode_guessing(data: bytes, languages: tuple[str, ...] | list[str] = ()) -> tuple[str, str]:
    """Return (text, encoding): UTF-8 if the bytes are UTF-8, else the plausible code page."""
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    encoding = guess_codepage(data, languages) or "cp1252"
    return data.decode(encoding, errors="replace"), encoding
