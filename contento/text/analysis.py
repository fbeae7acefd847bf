"""Per-comment analysis: language, sentiment (with its confidence), anger and other emotions.

Sentiment, anger and emotions come from the backend's classifier when it has one, else from
the embeddings: a text's anchor score for a class is its mean cosine similarity to the ``k``
closest anchor sentences of that class (contento/text/anchors.py, written for this project),
and its sentiment is the average of the anchor score and a small logistic head
(contento/text/heads.py, trained at build time on openly licensed package text and the
project's own sentences); its anger is a second head's P(angry), trained on the project's own
sentences only, read against the sentiment. The scores are mapped to labels by a handful of
constants below (per-language neutral bands and anger thresholds), chosen by 5-fold
cross-validation on the public tuning sets described in docs/text.md (never on the test set);
no model weights are trained on those sets.
"""

import base64
import hashlib
import json
import math
import re
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
from contento.text.heads import anger_head, sentiment_head
from contento.text.language import UNKNOWN, detect_language

#: Bump when anchors, constants or cleaning change, so that stored analyses can be redone.
PIPELINE_VERSION = "text-3"

Sentiment = Literal["positive", "neutral", "negative", "mixed"]
SENTIMENTS: tuple[Sentiment, ...] = ("positive", "neutral", "negative", "mixed")
EMOTIONS = ("joy", "sadness", "fear", "surprise")

# Chosen by cross-validation (bench/text_eval.py --tune); see docs/text.md.
SENTIMENT_K = 5
SENTIMENT_MID = 0.0002
SENTIMENT_HALF_WIDTH = 0.0105
#: Weight of the logistic head in the sentiment polarity (the anchors get the rest); 0.5 was
#: best in cross-validation among 0.3, 0.5 and 0.7.
HEAD_WEIGHT = 0.5
NEUTRAL_BAND = 0.2  # |sentiment_score| below this is "neutral"
#: Per language, the polarity (anchors averaged with the head) below which a text is negative
#: and above which it is positive; ``sentiment_score`` maps these edges to -/+NEUTRAL_BAND.
SENTIMENT_BANDS: dict[str, tuple[float, float]] = {
    "*": (-0.2196, 0.2360),
    "en": (-0.3293, 0.3574),
    "es": (-0.1769, 0.2636),
    "fr": (-0.1883, 0.1289),
    "ru": (-0.2667, 0.1091),
    "vi": (-0.1956, 0.4386),
    "id": (-0.2237, 0.3376),
}
ANGER_K = 3
ANGER_THRESHOLD = 0.0063
ANGER_SLOPE = 44.3
#: Weight of the anger head's P(angry) in the anger probability (the anchors get the rest);
#: 1.0 was best in cross-validation among 0.3, 0.5, 0.7 and 1.0. Without a head that fits the
#: backend's embeddings, the anchors alone give it.
ANGER_HEAD_WEIGHT = 1.0
#: Anger reading: the anger probability (head and anchors) minus this times the sentiment score
ANGER_SENTIMENT_WEIGHT = 0.75
#: ... against a threshold per language ("*" for any other), on a logistic slope. Negative and
#: mixed texts can be angry; a neutral text leaning negative (score below ANGER_GATE) only when
#: its anger clears the threshold by ANGER_PROMOTE_MARGIN, and it is then read as negative.
#: The margin 0.05 (among 0, 0.05 and 0.1) was chosen by cross-validation: with the anger head
#: it gained anger F1 on anger.tsv and kept the sentiment macro-F1 on sentiment.tsv, promotions
#: included (0.630, against 0.629 at 0.1 and 0.618 at 0).
ANGER_GATE = 0.0
ANGER_PROMOTE_MARGIN = 0.05
ANGER_THRESHOLDS: dict[str, float] = {
    "*": 0.5261,
    "en": 0.7163,
    "es": 0.7400,
    "fr": 0.6535,
    "ru": 0.8455,
    "vi": 0.4039,
    "id": 0.5343,
}
ANGER_READING_SLOPE = 2.0
#: A comment is "mixed" when one of its sentences scores at least this and another at most
#: minus this (on the ``sentiment_score`` scale).
MIXED_CLEAR = 0.4
#: Readings whose confidence is below this are flagged ``uncertain``.
UNCERTAIN_BELOW = 0.6
#: Confidence is ``1 - exp(-margin / CONFIDENCE_SCALE) / 2``: the margin is the distance of the
#: score from the nearest edge of its label (0 at an edge gives 0.5).
CONFIDENCE_SCALE = 0.1
#: At most this many sentences of a comment are read one by one (for "mixed").
MAX_SENTENCES = 8
EMOTION_K = 2
EMOTION_THRESHOLD = 0.03
EMOTION_SLOPE = 40.0

CACHE_SIZE = 8192
DEFAULT_BATCH_SIZE = 256


@dataclass(frozen=True)
class Analysis:
    """What one comment says: its language, its sentiment and the feelings it shows.

    ``sentiment`` is "positive", "neutral", "negative" or "mixed" (one sentence clearly
    positive, another clearly negative); ``confidence`` (0..1) says how sure that reading is,
    and ``uncertain`` is true when it is below ``UNCERTAIN_BELOW``. ``angry`` is only ever true
    with a negative or mixed sentiment.
    """

    language: str = UNKNOWN
    language_confidence: float = 0.0
    sentiment: Sentiment = "neutral"
    sentiment_score: float = 0.0
    anger: float = 0.0
    angry: bool = False
    emotions: Mapping[str, float] = field(default_factory=dict)
    model_version: str = ""
    confidence: float = 0.0
    uncertain: bool = False

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
        """Return the Analysis stored by :meth:`to_dict`; unknown keys are ignored.

        Dicts stored before ``confidence`` existed load with ``confidence`` 0.0 and
        ``uncertain`` False (they were never judged).
        """
        sentiment = data.get("sentiment", "neutral")
        return cls(
            language=str(data.get("language", UNKNOWN)),
            language_confidence=float(data.get("language_confidence", 0.0)),
            sentiment=sentiment if sentiment in SENTIMENTS else "neutral",
            sentiment_score=float(data.get("sentiment_score", 0.0)),
            anger=float(data.get("anger", 0.0)),
            angry=bool(data.get("angry", False)),
            emotions={str(k): float(v) for k, v in dict(data.get("emotions") or {}).items()},
            model_version=str(data.get("model_version", "")),
            confidence=float(data.get("confidence", 0.0)),
            uncertain=bool(data.get("uncertain", False)),
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
_cache: "OrderedDict[str, tuple[str, _Reading]]" = OrderedDict()


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


# Sentence ends (also after an emoji or a closing bracket), line breaks, and the conjunctions
# that turn a comment from praise to blame ("but", "pero", "mais", "но", "nhưng", "tapi", ...).
_SENTENCE_END = re.compile(r"(?<=[.!?;。！？…])\s+|\n+|(?<=[.!?])(?=[A-ZÀ-ÝА-ЯЁ])")
_CONTRAST = re.compile(
    r"[,;:]?\s+(?=(?:but|however|although|though|whereas|pero|aunque|sin embargo|mais|"
    r"cependant|pourtant|par contre|но|однако|зато|а вот|nhưng|tuy nhiên|song|tapi|tetapi|"
    r"namun|sayangnya|cuma)\b)",
    re.IGNORECASE,
)
_MIN_SENTENCE_LETTERS = 6


def split_sentences(text: str) -> list[str]:
    """Return the sentences and contrasted clauses of ``text`` (a simple multilingual split).

    Pieces with fewer than 6 letters are dropped; at most ``MAX_SENTENCES`` are returned.
    """
    pieces = []
    for sentence in _SENTENCE_END.split(text):
        for clause in _CONTRAST.split(sentence):
            clause = clause.strip()
            if letter_count(clause) >= _MIN_SENTENCE_LETTERS:
                pieces.append(clause)
    return pieces[:MAX_SENTENCES]


@dataclass(frozen=True)
class _Reading:
    """What a backend says of one cleaned text, before its language is known (cached)."""

    polarity: float  # in [-1, 1]: anchors averaged with the head, or the classifier's pos - neg
    banded: bool  # the per-language bands apply (anchors + the shipped head)
    anger: float  # anger probability (head and anchors), or the classifier's anger
    anger_direct: bool  # anger is the classifier's own probability
    emotions: dict[str, float]
    parts: tuple[float, ...] = ()  # polarity of each sentence, when there are two or more


def _anchor_polarity(raw_sentiment: FloatArray, head: FloatArray | None) -> FloatArray:
    gain = math.atanh(NEUTRAL_BAND) / SENTIMENT_HALF_WIDTH
    anchor = np.tanh(gain * (raw_sentiment.astype(np.float64) - SENTIMENT_MID))
    if head is None:
        return anchor.astype(np.float32)
    out: FloatArray = ((1.0 - HEAD_WEIGHT) * anchor + HEAD_WEIGHT * head).astype(np.float32)
    return out


def polarities(embeddings: FloatArray, backend: Backend | None = None) -> tuple[FloatArray, bool]:
    """Return the sentiment polarity per embedding row, and whether the head was used."""
    backend = backend or get_backend()
    head = sentiment_head(backend)
    raw = raw_scores(embeddings, backend)["sentiment"]
    scores = None if head is None else head.score(embeddings)
    return _anchor_polarity(raw, scores), head is not None


def anger_probabilities(
    embeddings: FloatArray, raw_anger: FloatArray, backend: Backend | None = None
) -> FloatArray:
    """Return the anger probability per embedding row: the anger head's P(angry) mixed with
    the anchors' (``raw_anger`` from :func:`raw_scores`) by ``ANGER_HEAD_WEIGHT``."""
    backend = backend or get_backend()
    z = ANGER_SLOPE * (raw_anger.astype(np.float64) - ANGER_THRESHOLD)
    prob = 1.0 / (1.0 + np.exp(-np.clip(z, -60.0, 60.0)))
    head = anger_head(backend)
    if head is not None and ANGER_HEAD_WEIGHT > 0:
        prob = (1.0 - ANGER_HEAD_WEIGHT) * prob + ANGER_HEAD_WEIGHT * head.probability(embeddings)
    out: FloatArray = prob.astype(np.float32)
    return out


def _read(texts: Sequence[str], backend: Backend) -> list[_Reading]:
    pieces = [split_sentences(t) for t in texts]
    pieces = [p if len(p) >= 2 else [] for p in pieces]
    flat = [piece for p in pieces for piece in p]
    everything = list(texts) + flat
    classified = backend.classify(everything)
    head = sentiment_head(backend)
    anchor_emotions: list[dict[str, float]] = []
    anger_prob = np.zeros(len(texts), dtype=np.float32)
    polarity = np.zeros(len(everything), dtype=np.float32)
    need_anchors = classified is None or any("anger" not in p for p in classified[: len(texts)])
    if need_anchors:
        emb = backend.embed(list(texts) if classified is not None else everything)
        raw = raw_scores(emb, backend)
        n = len(texts)
        anger_prob = anger_probabilities(emb[:n], raw["anger"][:n], backend)
        anchor_emotions = [
            {
                name: round(_sigmoid(EMOTION_SLOPE * (float(raw[name][i]) - EMOTION_THRESHOLD)), 4)
                for name in EMOTIONS
            }
            for i in range(n)
        ]
        if classified is None:
            scores = None if head is None else head.score(emb)
            polarity = _anchor_polarity(raw["sentiment"], scores)
    readings = []
    offset = len(texts)
    for i, _text in enumerate(texts):
        count = len(pieces[i])
        if classified is not None:
            probs = classified[i]
            parts = [
                float(p.get("positive", 0.0)) - float(p.get("negative", 0.0))
                for p in classified[offset : offset + count]
            ]
            direct = "anger" in probs
            readings.append(
                _Reading(
                    polarity=float(probs.get("positive", 0.0)) - float(probs.get("negative", 0.0)),
                    banded=False,
                    anger=float(probs["anger"]) if direct else float(anger_prob[i]),
                    anger_direct=direct,
                    emotions=(
                        {n: float(probs[n]) for n in EMOTIONS if n in probs}
                        if direct
                        else {
                            **anchor_emotions[i],
                            **{n: float(probs[n]) for n in EMOTIONS if n in probs},
                        }
                    ),
                    parts=tuple(parts),
                )
            )
        else:
            readings.append(
                _Reading(
                    polarity=float(polarity[i]),
                    banded=head is not None,
                    anger=float(anger_prob[i]),
                    anger_direct=False,
                    emotions=anchor_emotions[i],
                    parts=tuple(float(v) for v in polarity[offset : offset + count]),
                )
            )
        offset += count
    return readings


def _band(language: str, banded: bool) -> tuple[float, float]:
    if not banded:
        return -NEUTRAL_BAND, NEUTRAL_BAND
    return SENTIMENT_BANDS.get(language, SENTIMENT_BANDS["*"])


def score_in_band(polarity: float, low: float, high: float) -> float:
    """Map ``polarity`` to [-1, 1] so that ``low`` and ``high`` land on -/+NEUTRAL_BAND."""
    p = min(max(polarity, -1.0), 1.0)
    low, high = max(low, -0.999), min(high, 0.999)
    if p <= low:
        return -NEUTRAL_BAND - (1.0 - NEUTRAL_BAND) * (low - p) / (low + 1.0)
    if p >= high:
        return NEUTRAL_BAND + (1.0 - NEUTRAL_BAND) * (p - high) / (1.0 - high)
    return -NEUTRAL_BAND + 2 * NEUTRAL_BAND * (p - low) / (high - low)


def confidence_of(score: float, sentiment: Sentiment, parts: Sequence[float] = ()) -> float:
    """Return how sure a reading is, from its distance to the nearest edge of its label."""
    if sentiment == "mixed":
        margin = min(max(parts), -min(parts)) - MIXED_CLEAR
    elif sentiment == "neutral":
        margin = NEUTRAL_BAND - abs(score)
    else:
        margin = abs(score) - NEUTRAL_BAND
    return 1.0 - 0.5 * math.exp(-max(margin, 0.0) / CONFIDENCE_SCALE)


def anger_excess(anger: float, score: float, language: str) -> float:
    """Return how far the anger reading (anger probability minus 0.75 x score) clears its
    threshold."""
    threshold = ANGER_THRESHOLDS.get(language, ANGER_THRESHOLDS["*"])
    return anger - ANGER_SENTIMENT_WEIGHT * score - threshold


def _finish(
    text: str, reading: _Reading, languages: Sequence[str] | None, version: str
) -> Analysis:
    language, language_confidence = detect_language(text, languages)
    low, high = _band(language, reading.banded)
    score = score_in_band(reading.polarity, low, high)
    sentiment = sentiment_from_score(score)
    parts = [score_in_band(p, low, high) for p in reading.parts]
    if parts and max(parts) >= MIXED_CLEAR and min(parts) <= -MIXED_CLEAR:
        sentiment = "mixed"
    confidence = confidence_of(score, sentiment, parts)
    anger = reading.anger
    clearly_angry = anger >= 0.5  # a classifier's own anger probability
    if not reading.anger_direct:
        excess = anger_excess(anger, score, language)
        anger = _sigmoid(ANGER_READING_SLOPE * excess)
        clearly_angry = excess >= ANGER_PROMOTE_MARGIN
    if sentiment == "neutral" and score < ANGER_GATE and clearly_angry:
        # Anger is a negative reading: clearly angry and leaning negative reads negative.
        sentiment, score = "negative", -NEUTRAL_BAND
        confidence = confidence_of(score, sentiment)
    if sentiment not in ("negative", "mixed"):
        # Anger comes with negative feelings only: never angry with positive or neutral text.
        anger = min(anger, 0.4999)
    return Analysis(
        language=language,
        language_confidence=language_confidence,
        sentiment=sentiment,
        sentiment_score=round(score, 4),
        anger=round(anger, 4),
        angry=anger >= 0.5,
        emotions=reading.emotions,
        model_version=version,
        confidence=round(confidence, 4),
        uncertain=confidence < UNCERTAIN_BELOW,
    )


def _has_content(text: str) -> bool:
    """Return whether ``text`` says enough to score: two letters, or an emoji or symbol."""
    return letter_count(text) >= 2 or any(unicodedata.category(c) == "So" for c in text)


def analyze_many(
    texts: Iterable[object],
    batch_size: int = DEFAULT_BATCH_SIZE,
    languages: Sequence[str] | None = None,
) -> list[Analysis]:
    """Return one :class:`Analysis` per text, in order; built for batch workers.

    Texts are cleaned (HTML, control characters, bad encodings, ``None``), truncated to
    ``cleaning.MAX_CHARS``, de-duplicated, looked up in a per-process cache, and the rest
    embedded ``batch_size`` at a time. Bad input never raises: it gets a neutral Analysis.
    ``languages`` (the workspace's languages) restricts the language read: see
    :func:`~contento.text.language.detect_language`.
    """
    backend = get_backend()
    version = model_version(backend)
    langs = None if languages is None else tuple(languages)
    cleaned = [clean(text) for text in texts]
    empty = Analysis(model_version=version, uncertain=True)
    found: dict[str, _Reading | None] = {"": None}
    with _lock:
        for text in cleaned:
            hit = _cache.get(text)
            if hit is not None and hit[0] == version:
                found[text] = hit[1]
    for text in cleaned:
        if text not in found and not _has_content(text):
            found[text] = None
    todo = list(dict.fromkeys(t for t in cleaned if t not in found))
    step = max(1, int(batch_size))
    for start in range(0, len(todo), step):
        chunk = todo[start : start + step]
        read = _read(chunk, backend)
        with _lock:
            for text, reading in zip(chunk, read, strict=True):
                found[text] = reading
                _cache[text] = (version, reading)
                _cache.move_to_end(text)
            while len(_cache) > CACHE_SIZE:
                _cache.popitem(last=False)
    done: dict[str, Analysis] = {}
    out = []
    for text in cleaned:
        if text not in done:
            known = found[text]
            done[text] = empty if known is None else _finish(text, known, langs, version)
        out.append(done[text])
    return out


def analyze(text: object, languages: Sequence[str] | None = None) -> Analysis:
    """Return the :class:`Analysis` of one comment (never raises on bad input)."""
    return analyze_many([text], languages=languages)[0]


def embed(texts: Iterable[object], batch_size: int = DEFAULT_BATCH_SIZE) -> FloatArray:
    """Return the backend's embeddings of the cleaned ``texts`` (one row each)."""
    backend = get_backend()
    cleaned = [clean(text) or "." for text in texts]
    step = max(1, int(batch_size))
    parts = [backend.embed(cleaned[i : i + step]) for i in range(0, len(cleaned), step)]
    if not parts:
        return np.zeros((0, 0), dtype=np.float32)
    return np.vstack(parts).astype(np.float32, copy=False)
