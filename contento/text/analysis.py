"""Per-comment analysis: language, sentiment, anger and other emotions.

Sentiment, anger and emotions come from the backend's classifier when it has one, else from
zero-shot anchors: a text's raw score for a class is its mean cosine similarity to the ``k``
closest anchor sentences of that class (contento/text/anchors.py, written for this project).
The raw scores are mapped to labels and probabilities by a handful of constants below, chosen
by 5-fold cross-validation on the public tuning sets described in docs/text.md (never on the
test set); no model weights are trained on those sets.
"""

import base64
import hashlib
import json
import math
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from contento.text import anchors
from contento.text.backends import Backend, FloatArray, get_backend, on_backend_change
from contento.text.cleaning import clean, letter_count
from contento.text.language import UNKNOWN, detect_language

#: Bump when anchors, constants or cleaning change, so that stored analyses can be redone.
PIPELINE_VERSION = "text-1"

Sentiment = Literal["positive", "neutral", "negative"]
EMOTIONS = ("joy", "sadness", "fear", "surprise")

# Chosen by cross-validation (bench/text_eval.py --tune); see docs/text.md.
SENTIMENT_K = 5
SENTIMENT_MID = 0.0002
SENTIMENT_HALF_WIDTH = 0.0105
NEUTRAL_BAND = 0.2  # |sentiment_score| below this is "neutral"
ANGER_K = 3
ANGER_THRESHOLD = 0.0063
ANGER_SLOPE = 44.3
EMOTION_K = 2
EMOTION_THRESHOLD = 0.03
EMOTION_SLOPE = 40.0

CACHE_SIZE = 8192
DEFAULT_BATCH_SIZE = 256


@dataclass(frozen=True)
class Analysis:
    """What one comment says: its language, its sentiment and the feelings it shows."""

    language: str = UNKNOWN
    language_confidence: float = 0.0
    sentiment: Sentiment = "neutral"
    sentiment_score: float = 0.0
    anger: float = 0.0
    angry: bool = False
    emotions: Mapping[str, float] = field(default_factory=dict)
    model_version: str = ""

    @property
    def joy(self) -> float | None:
        """Return the probability of joy, or None when the model gives none."""
        return self.emotions.get("joy")

    @property
    def sadness(self) -> float | None:
        """Return the probability of sadness, or None when the model gives none."""
        return self.emotions.get("sadness")

    @property
    def fear(self) -> float | None:
        """Return the probability of fear, or None when the model gives none."""
        return self.emotions.get("fear")

    @property
    def surprise(self) -> float | None:
        """Return the probability of surprise, or None when the model gives none."""
        return self.emotions.get("surprise")

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict (for a JSONField)."""
        data = asdict(self)
        data["emotions"] = dict(self.emotions)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Analysis":
        """Return the Analysis stored by :meth:`to_dict`; unknown keys are ignored."""
        sentiment = data.get("sentiment", "neutral")
        return cls(
            language=str(data.get("language", UNKNOWN)),
            language_confidence=float(data.get("language_confidence", 0.0)),
            sentiment=sentiment if sentiment in ("positive", "negative") else "neutral",
            sentiment_score=float(data.get("sentiment_score", 0.0)),
            anger=float(data.get("anger", 0.0)),
            angry=bool(data.get("angry", False)),
            emotions={str(k): float(v) for k, v in dict(data.get("emotions") or {}).items()},
            model_version=str(data.get("model_version", "")),
        )


def model_version(backend: Backend | None = None) -> str:
    """Return the version string that analyses made now carry."""
    return f"{PIPELINE_VERSION}+{(backend or get_backend()).name}"


ANCHOR_CACHE = Path(__file__).with_name("anchor_vectors.json")


def _anchor_groups() -> dict[str, tuple[str, ...]]:
    groups = {
        "positive": anchors.SENTIMENT["positive"],
        "negative": anchors.SENTIMENT["negative"],
        "angry": anchors.ANGER["angry"],
        "calm": anchors.ANGER["calm"],
        "no_emotion": anchors.NO_EMOTION,
    }
    groups.update({name: anchors.EMOTIONS[name] for name in EMOTIONS})
    return groups


def _anchor_digest() -> str:
    return hashlib.sha256(json.dumps(_anchor_groups(), sort_keys=True).encode()).hexdigest()


def write_anchor_cache(backend: Backend | None = None, path: Path = ANCHOR_CACHE) -> None:
    """Embed the anchors with ``backend`` and store them, so that loading skips that step."""
    backend = backend or get_backend()
    vectors = {
        group: base64.b64encode(backend.embed(list(texts)).astype("<f4").tobytes()).decode()
        for group, texts in _anchor_groups().items()
    }
    data = {"backend": backend.name, "anchors": _anchor_digest(), "vectors": vectors}
    path.write_text(json.dumps(data, indent=0, sort_keys=True) + "\n", encoding="utf-8")


def _cached_anchor_vectors(backend: Backend) -> dict[str, FloatArray] | None:
    try:
        data = json.loads(ANCHOR_CACHE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    # A backend that borrows another's embeddings names them in `embedding_name`.
    embedding_name = getattr(backend, "embedding_name", backend.name)
    if data.get("backend") != embedding_name or data.get("anchors") != _anchor_digest():
        return None
    out = {}
    for group, texts in _anchor_groups().items():
        raw = np.frombuffer(base64.b64decode(data["vectors"][group]), dtype="<f4")
        out[group] = raw.reshape(len(texts), -1).astype(np.float32)
    return out


class _Anchors:
    """Anchor embeddings for one backend: from the shipped cache, else computed on first use."""

    def __init__(self, backend: Backend) -> None:
        cached = _cached_anchor_vectors(backend)

        def emb(texts: Iterable[str]) -> FloatArray:
            if cached is not None:
                for group, group_texts in _anchor_groups().items():
                    if tuple(texts) == group_texts:
                        return cached[group]
            return backend.embed(list(texts))

        self.backend_name = backend.name
        self.positive = emb(anchors.SENTIMENT["positive"])
        self.negative = emb(anchors.SENTIMENT["negative"])
        self.angry = emb(anchors.ANGER["angry"])
        self.calm = emb(anchors.ANGER["calm"])
        self.emotions = {name: emb(anchors.EMOTIONS[name]) for name in EMOTIONS}
        self.no_emotion = emb(anchors.NO_EMOTION)


_lock = threading.Lock()
_anchors: _Anchors | None = None
_cache: "OrderedDict[str, Analysis]" = OrderedDict()


def clear_cache() -> None:
    """Forget cached analyses and anchor embeddings (after a backend change)."""
    global _anchors
    with _lock:
        _cache.clear()
        _anchors = None


on_backend_change(clear_cache)


def _get_anchors(backend: Backend) -> _Anchors:
    global _anchors
    current = _anchors
    if current is not None and current.backend_name == backend.name:
        return current
    built = _Anchors(backend)
    with _lock:
        _anchors = built
    return built


def _top_k_mean(embeddings: FloatArray, anchor_embeddings: FloatArray, k: int) -> FloatArray:
    sims = embeddings @ anchor_embeddings.T
    k = min(k, sims.shape[1])
    top = np.partition(sims, sims.shape[1] - k, axis=1)[:, -k:]
    result: FloatArray = top.mean(axis=1).astype(np.float32)
    return result


def raw_scores(embeddings: FloatArray, backend: Backend | None = None) -> dict[str, FloatArray]:
    """Return the uncalibrated anchor scores (``sentiment``, ``anger``, one per emotion)."""
    a = _get_anchors(backend or get_backend())
    out = {
        "sentiment": _top_k_mean(embeddings, a.positive, SENTIMENT_K)
        - _top_k_mean(embeddings, a.negative, SENTIMENT_K),
        "anger": _top_k_mean(embeddings, a.angry, ANGER_K)
        - _top_k_mean(embeddings, a.calm, ANGER_K),
    }
    none = _top_k_mean(embeddings, a.no_emotion, EMOTION_K)
    for name in EMOTIONS:
        out[name] = _top_k_mean(embeddings, a.emotions[name], EMOTION_K) - none
    return out


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(min(x, 60.0), -60.0)))


def sentiment_from_score(score: float) -> Sentiment:
    """Return the sentiment label for a score in [-1, 1]."""
    if score >= NEUTRAL_BAND:
        return "positive"
    if score <= -NEUTRAL_BAND:
        return "negative"
    return "neutral"


def _calibrated(raw: Mapping[str, float]) -> tuple[float, float, dict[str, float]]:
    gain = math.atanh(NEUTRAL_BAND) / SENTIMENT_HALF_WIDTH
    score = math.tanh(gain * (raw["sentiment"] - SENTIMENT_MID))
    anger = _sigmoid(ANGER_SLOPE * (raw["anger"] - ANGER_THRESHOLD))
    emotions = {
        name: round(_sigmoid(EMOTION_SLOPE * (raw[name] - EMOTION_THRESHOLD)), 4)
        for name in EMOTIONS
    }
    return score, anger, emotions


def _from_classifier(probs: Mapping[str, float]) -> tuple[float, float, dict[str, float]]:
    pos, neg = float(probs.get("positive", 0.0)), float(probs.get("negative", 0.0))
    score = pos - neg
    anger = float(probs.get("anger", 0.0))
    emotions = {name: float(probs[name]) for name in EMOTIONS if name in probs}
    return score, anger, emotions


def _analyse_clean(texts: Sequence[str], backend: Backend, version: str) -> list[Analysis]:
    scored: list[tuple[float, float, dict[str, float]]]
    classified = backend.classify(texts)
    if classified is not None:
        scored = [_from_classifier(p) for p in classified]
        if any("anger" not in p for p in classified):
            # A sentiment-only classifier: anger and emotions still come from the anchors.
            raw = raw_scores(backend.embed(texts), backend)
            for i, probs in enumerate(classified):
                if "anger" not in probs:
                    _s, anger, emotions = _calibrated({k: float(v[i]) for k, v in raw.items()})
                    scored[i] = (scored[i][0], anger, {**emotions, **scored[i][2]})
    else:
        raw = raw_scores(backend.embed(texts), backend)
        scored = [_calibrated({k: float(v[i]) for k, v in raw.items()}) for i in range(len(texts))]
    results = []
    for text, (score, anger, emotions) in zip(texts, scored, strict=True):
        language, confidence = detect_language(text)
        score = float(min(max(score, -1.0), 1.0))
        results.append(
            Analysis(
                language=language,
                language_confidence=confidence,
                sentiment=sentiment_from_score(score),
                sentiment_score=round(score, 4),
                anger=round(anger, 4),
                angry=anger >= 0.5,
                emotions=emotions,
                model_version=version,
            )
        )
    return results


def _has_content(text: str) -> bool:
    """Return whether ``text`` says enough to score: two letters, or an emoji or symbol."""
    return letter_count(text) >= 2 or any(unicodedata.category(c) == "So" for c in text)


def analyze_many(texts: Iterable[object], batch_size: int = DEFAULT_BATCH_SIZE) -> list[Analysis]:
    """Return one :class:`Analysis` per text, in order; built for batch workers.

    Texts are cleaned (HTML, control characters, bad encodings, ``None``), truncated to
    ``cleaning.MAX_CHARS``, de-duplicated, looked up in a per-process cache, and the rest
    embedded ``batch_size`` at a time. Bad input never raises: it gets a neutral Analysis.
    """
    backend = get_backend()
    version = model_version(backend)
    cleaned = [clean(text) for text in texts]
    found: dict[str, Analysis] = {"": Analysis(model_version=version)}
    with _lock:
        for text in cleaned:
            hit = _cache.get(text)
            if hit is not None and hit.model_version == version:
                found[text] = hit
    for text in cleaned:
        if text not in found and not _has_content(text):
            found[text] = Analysis(model_version=version)
    todo = list(dict.fromkeys(t for t in cleaned if t not in found))
    step = max(1, int(batch_size))
    for start in range(0, len(todo), step):
        chunk = todo[start : start + step]
        for text, result in zip(chunk, _analyse_clean(chunk, backend, version), strict=True):
            found[text] = result
        with _lock:
            for text in chunk:
                _cache[text] = found[text]
                _cache.move_to_end(text)
            while len(_cache) > CACHE_SIZE:
                _cache.popitem(last=False)
    return [found[text] for text in cleaned]


def analyze(text: object) -> Analysis:
    """Return the :class:`Analysis` of one comment (never raises on bad input)."""
    return analyze_many([text])[0]


def embed(texts: Iterable[object], batch_size: int = DEFAULT_BATCH_SIZE) -> FloatArray:
    """Return the backend's embeddings of the cleaned ``texts`` (one row each)."""
    backend = get_backend()
    cleaned = [clean(text) or "." for text in texts]
    step = max(1, int(batch_size))
    parts = [backend.embed(cleaned[i : i + step]) for i in range(0, len(cleaned), step)]
    if not parts:
        return np.zeros((0, 0), dtype=np.float32)
    return np.vstack(parts).astype(np.float32, copy=False)
