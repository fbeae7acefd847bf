"""Word segmentation and stop words for keyword and theme labels.

Vietnamese writes a space between syllables, not words ("dịch vụ" is one word), so it is
segmented with pyvi's CRF word segmenter (``ViTokenizer``, trained on VLSP data, MIT); the
other languages split on letters. Stop words come from ``stopwordsiso`` (MIT), which has
lists for 50+ ISO 639-1 languages.
"""

import functools
import re
import threading
from typing import Any

from contento.text.cleaning import clean, strip_placeholders

_WORD = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*", re.UNICODE)
_VI_WORD = re.compile(r"[^\W\d]+", re.UNICODE)  # pyvi joins syllables with "_"
_vi_lock = threading.Lock()
_vi_tokenizer: Any = None
# Words of chat and anonymised exports that no list holds but that label nothing.
_EXTRA_STOP = frozenset({"http", "https", "www", "com", "user", "username", "url", "rt", "amp"})


@functools.cache
def stop_words(language: str) -> frozenset[str]:
    """Return the stop words of ``language`` (ISO 639-1), lower case; empty if none known."""
    import stopwordsiso  # imported here for start-up cost: its lists load on import

    words = stopwordsiso.stopwords(language) if stopwordsiso.has_lang(language) else set()
    if language == "vi":
        words = {w.replace(" ", "_") for w in words}
    return frozenset(w.lower() for w in words) | _EXTRA_STOP


def _segment_vietnamese(text: str) -> str:
    global _vi_tokenizer
    if _vi_tokenizer is None:
        with _vi_lock:
            if _vi_tokenizer is None:
                # Imported here for start-up cost: pyvi loads its model on import.
                from pyvi import ViTokenizer

                _vi_tokenizer = ViTokenizer
    return str(_vi_tokenizer.tokenize(text))


def tokenize(text: object, language: str | None = None, keep_stop_words: bool = False) -> list[str]:
    """Return the lower-case words of ``text``; Vietnamese words joined by ``_``.

    Stop words of ``language`` and one-letter words are dropped unless ``keep_stop_words``.
    """
    cleaned = strip_placeholders(clean(text)).lower()
    if not cleaned:
        return []
    if language == "vi":
        words = _VI_WORD.findall(_segment_vietnamese(cleaned))
        words = [w.strip("_") for w in words if w.strip("_")]
    else:
        words = _WORD.findall(cleaned)
    if keep_stop_words:
        return words
    stop = stop_words(language) if language else _EXTRA_STOP
    return [w for w in words if len(w) > 1 and w not in stop]


def display(term: str) -> str:
    """Return a token as a person would write it ("dịch_vụ" becomes "dịch vụ")."""
    return term.replace("_", " ")
