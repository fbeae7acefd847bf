"""Assign comments to the themes of a taxonomy, by meaning, in any language.

A taxonomy is a list of themes, each with names, example comments and keywords, in one or
more languages (English alone works: e5 is multilingual). Each comment is split into sentences
and every sentence is embedded; each theme gets a prototype: the embeddings of its names, its
examples and its keywords (all embedded with ``embed``, e5's "query:" side, as e5 advises
for symmetric similarity). A sentence's similarity to a theme is the mean of its two highest
cosine similarities to the theme's prototype texts. Since e5 similarities share a large common
part (any two comments have cosine about 0.8) and a part set by language, the score is
*relative*: the similarity to the theme minus the sentence's mean similarity to every theme and
to a few generic sentences ("Thank you.", "Everything was fine."), which stand for "none of
these". A keyword of the theme found in the sentence adds ``KEYWORD_BONUS``. The score goes
through a logistic curve into a confidence in 0..1; a comment gets every theme whose best
sentence reaches ``threshold``. ``MID`` and ``WIDTH`` were set for precision (few wrong
themes) rather than coverage; see docs/text.md for the measured figures.
"""

import json
import math
import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from contento.text.analysis import embed
from contento.text.backends import FloatArray, get_backend
from contento.text.cleaning import clean, letter_count

# Relative score (cosine units) at which the confidence is 0.5, and the logistic width.
MID = 0.028
WIDTH = 0.01
DEFAULT_THRESHOLD = 0.5
KEYWORD_BONUS = 0.01
TOP_ITEMS = 2  # a theme's similarity is the mean of the best this many prototype texts
MAX_SENTENCES = 20  # per comment; the rest of a very long comment is ignored
MIN_SENTENCE_LETTERS = 3

# Stand for "none of the themes": the relative score is measured against them too.
GENERIC = (
    "Thank you.",
    "Everything was fine.",
    "No comment.",
    "Nothing else to add.",
    "Hello.",
    "Okay.",
    "Gracias.",
    "Todo bien.",
    "Merci.",
    "Rien à signaler.",
    "Danke, alles gut.",
    "Obrigado, tudo certo.",
    "Cảm ơn.",
    "Không có ý kiến.",
    "Terima kasih.",
)

_SENTENCE_END = re.compile(r"(?<=[.!?。！？…;])\s+|\n+|(?<=[。！？])")


@dataclass(frozen=True)
class TaxonomyTheme:
    """One theme of a taxonomy: names, examples and keywords per language (ISO 639-1)."""

    key: str
    names: Mapping[str, str]
    examples: tuple[str, ...] = ()
    keywords: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-ready dict, the shape :func:`load_taxonomy` reads."""
        return {
            "key": self.key,
            "names": dict(self.names),
            "examples": list(self.examples),
            "keywords": {lang: list(words) for lang, words in self.keywords.items()},
        }


@dataclass(frozen=True)
class Assignment:
    """A comment's theme: its key, the confidence (0..1) and the sentence that carries it."""

    key: str
    confidence: float
    sentence: str

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-ready dict."""
        return {"key": self.key, "confidence": self.confidence, "sentence": self.sentence}


def _theme_from_dict(data: Mapping[str, Any]) -> TaxonomyTheme:
    key = str(data["key"])
    names = data.get("names") or {}
    if isinstance(names, str):
        names = {"en": names}
    keywords = data.get("keywords") or {}
    if isinstance(keywords, list | tuple):
        keywords = {"en": keywords}
    return TaxonomyTheme(
        key=key,
        names={str(k): str(v) for k, v in names.items()},
        examples=tuple(str(e) for e in data.get("examples") or ()),
        keywords={str(k): tuple(str(w) for w in v) for k, v in keywords.items()},
    )


def load_taxonomy(
    source: str | Path | Mapping[str, Any] | Sequence[Mapping[str, Any]],
) -> list[TaxonomyTheme]:
    """Read a taxonomy: a JSON file path, a ``{"themes": [...]}`` dict or a list of themes.

    Each theme is ``{"key", "names": {lang: name}, "examples": [...], "keywords": {lang:
    [...]}}``; only ``key`` and one name are required.
    """
    data: Any = source
    if isinstance(source, str | Path):
        data = json.loads(Path(source).read_text(encoding="utf-8"))
    if isinstance(data, Mapping):
        data = data.get("themes", [])
    themes = [_theme_from_dict(item) for item in data]
    keys = [t.key for t in themes]
    if len(set(keys)) != len(keys):
        raise ValueError("taxonomy theme keys must be unique")
    return themes


def starter_taxonomies() -> dict[str, dict[str, Any]]:
    """Return the starter taxonomies shipped with contento.text, by name (file stem)."""
    folder = resources.files("contento.text") / "taxonomies"
    out: dict[str, dict[str, Any]] = {}
    if not folder.is_dir():
        return out
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            out[entry.name.removesuffix(".json")] = json.loads(entry.read_text(encoding="utf-8"))
    return out


def split_sentences(text: object) -> list[str]:
    """Return the sentences of ``text`` that have a few letters (at most ``MAX_SENTENCES``)."""
    cleaned = clean(text)
    parts = [p.strip() for p in _SENTENCE_END.split(cleaned) if p and p.strip()]
    sentences = [p for p in parts if letter_count(p) >= MIN_SENTENCE_LETTERS]
    if not sentences and letter_count(cleaned) >= MIN_SENTENCE_LETTERS:
        sentences = [cleaned]
    return sentences[:MAX_SENTENCES]


def _prototype_texts(theme: TaxonomyTheme) -> list[str]:
    texts = [name for name in theme.names.values() if name]
    texts.extend(e for e in theme.examples if e)
    for lang, words in theme.keywords.items():
        if words:
            name = theme.names.get(lang) or next(iter(theme.names.values()), "")
            texts.append(f"{name}: {', '.join(words)}" if name else ", ".join(words))
    return texts or [theme.key.replace("_", " ")]


_cache_lock = threading.Lock()
_vector_cache: dict[tuple[str, str], FloatArray] = {}


def _embed_cached(texts: Sequence[str]) -> FloatArray:
    """Embed prototype texts once per backend (taxonomies are reused across calls)."""
    name = getattr(get_backend(), "name", "")
    with _cache_lock:
        missing = list(dict.fromkeys(t for t in texts if (name, t) not in _vector_cache))
    if missing:
        vectors = embed(missing)
        with _cache_lock:
            for text, vector in zip(missing, vectors, strict=True):
                _vector_cache[(name, text)] = vector
            if len(_vector_cache) > 20000:
                _vector_cache.clear()
                return embed(texts)
    with _cache_lock:
        return np.vstack([_vector_cache[(name, t)] for t in texts])


def _keyword_pattern(theme: TaxonomyTheme) -> re.Pattern[str] | None:
    words = sorted({w.strip().lower() for ws in theme.keywords.values() for w in ws if w.strip()})
    if not words:
        return None
    alternatives = "|".join(re.escape(w) for w in words)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def confidence(score: float) -> float:
    """Map a relative score (cosine units) to a confidence in 0..1."""
    return 1.0 / (1.0 + math.exp(-(score - MID) / WIDTH))


def scores(
    sentence_vectors: FloatArray, sentences: Sequence[str], themes: Sequence[TaxonomyTheme]
) -> np.ndarray:
    """Return the relative score of every sentence (rows) for every theme (columns)."""
    item_texts: list[str] = []
    owner: list[int] = []
    for t, theme in enumerate(themes):
        for text in _prototype_texts(theme):
            item_texts.append(text)
            owner.append(t)
    items = _embed_cached(item_texts + list(GENERIC))
    sims = sentence_vectors @ items.T
    owners = np.asarray(owner)
    n_themes = len(themes)
    theme_sim = np.zeros((len(sentence_vectors), n_themes + 1), dtype=np.float64)
    for t in range(n_themes):
        block = np.sort(sims[:, : len(owner)][:, owners == t], axis=1)[:, ::-1]
        theme_sim[:, t] = block[:, :TOP_ITEMS].mean(axis=1)
    generic = np.sort(sims[:, len(owner) :], axis=1)[:, ::-1]
    theme_sim[:, n_themes] = generic[:, :TOP_ITEMS].mean(axis=1)
    relative: np.ndarray = np.asarray(
        theme_sim[:, :n_themes] - theme_sim.mean(axis=1, keepdims=True), dtype=np.float64
    )
    for t, theme in enumerate(themes):
        pattern = _keyword_pattern(theme)
        if pattern is None:
            continue
        hits = np.array([bool(pattern.search(s)) for s in sentences])
        relative[hits, t] += KEYWORD_BONUS
    return relative


def assign(
    texts: Iterable[object],
    themes: Sequence[TaxonomyTheme] | Mapping[str, Any],
    *,
    threshold: float | None = None,
) -> list[list[Assignment]]:
    """Return, per comment, the taxonomy themes it is about, most confident first.

    A comment gets every theme whose best sentence has a confidence of at least ``threshold``
    (default ``DEFAULT_THRESHOLD``, chosen for precision), with that sentence; a comment about
    none of them gets ``[]``. ``themes`` is a list of :class:`TaxonomyTheme` or anything
    :func:`load_taxonomy` reads.
    """
    taxonomy = list(themes) if not isinstance(themes, Mapping) else load_taxonomy(themes)
    taxonomy = [t if isinstance(t, TaxonomyTheme) else _theme_from_dict(t) for t in taxonomy]
    limit = DEFAULT_THRESHOLD if threshold is None else float(threshold)
    sentences_of = [split_sentences(t) for t in texts]
    if not taxonomy:
        return [[] for _ in sentences_of]
    unique = list(dict.fromkeys(s for ss in sentences_of for s in ss))
    if not unique:
        return [[] for _ in sentences_of]
    position = {s: i for i, s in enumerate(unique)}
    relative = scores(embed(unique), unique, taxonomy)
    out: list[list[Assignment]] = []
    for sentences in sentences_of:
        found: list[Assignment] = []
        if sentences:
            rows = relative[[position[s] for s in sentences]]
            best = rows.argmax(axis=0)
            for t, theme in enumerate(taxonomy):
                value = confidence(float(rows[best[t], t]))
                if value >= limit:
                    found.append(Assignment(theme.key, round(value, 4), sentences[int(best[t])]))
        found.sort(key=lambda a: (-a.confidence, a.key))
        out.append(found)
    return out
