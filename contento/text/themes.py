"""Group comments into labelled themes.

Scales to hundreds of thousands of comments by embedding only a sample: the sample is
clustered with k-means on its multilingual embeddings, near clusters are merged (average
linkage on cosine distance between centroids, so "slow delivery" and "entrega lenta" end up
together), and every other comment is assigned by a linear classifier on character n-grams
trained on the sample. Labels are the top c-TF-IDF terms of each theme (Grootendorst 2022,
"BERTopic: Neural topic modeling with a class-based TF-IDF procedure", arXiv:2203.05794), in
the language most of its comments are written in.
"""

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from contento.text.analysis import Analysis, embed, polarities
from contento.text.backends import FloatArray, get_backend
from contento.text.cleaning import clean, letter_count
from contento.text.language import UNKNOWN, detect_language
from contento.text.tokens import date_number_words, display, tokenize

SAMPLE_SIZE = 1000
MIN_THEME_SIZE = 3  # k is at most n / this
MIN_LANGUAGE_COMMENTS = 5  # a language with fewer comments is centred on the overall mean
MIN_SENTIMENT_AXIS = 60  # fewer comments: the sentiment direction is not removed
SILHOUETTE_SAMPLE = 2000
KMEANS_INIT = 2
LABEL_TERMS = 3
LABEL_MIN_SHARE = 0.2
EXAMPLE_CHARS = 200


@dataclass(frozen=True)
class Theme:
    """A group of comments about the same thing, whatever language they are written in."""

    label: str
    language: str
    terms: tuple[str, ...]
    size: int
    share: float
    sentiment: float | None
    examples: tuple[str, ...]
    labels: Mapping[str, str] = field(default_factory=dict)
    indices: tuple[int, ...] = ()

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-ready dict (without the member indices)."""
        return {
            "label": self.label,
            "language": self.language,
            "terms": list(self.terms),
            "size": self.size,
            "share": self.share,
            "sentiment": self.sentiment,
            "examples": list(self.examples),
            "labels": dict(self.labels),
        }


def _without(vectors: FloatArray, axis: np.ndarray | None) -> FloatArray:
    """Return ``vectors`` with their component along ``axis`` removed, L2-normalised again."""
    if axis is None:
        return vectors
    norm = float(np.linalg.norm(axis))
    if norm < 1e-9:
        return vectors
    u = axis / norm
    x = np.asarray(vectors, dtype=np.float64)
    x = x - np.outer(x @ u, u)
    x /= np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-9)
    return np.asarray(x, dtype=np.float32)


def _language_means(vectors: FloatArray, languages: Sequence[str]) -> dict[str, np.ndarray]:
    codes = np.asarray([str(lang) for lang in languages])
    means = {"": np.asarray(vectors, dtype=np.float64).mean(axis=0)}
    for lang in set(codes.tolist()):
        members = codes == lang
        if members.sum() >= MIN_LANGUAGE_COMMENTS:
            means[lang] = np.asarray(vectors, dtype=np.float64)[members].mean(axis=0)
    return means


def _centre_with(
    vectors: FloatArray, languages: Sequence[str], means: Mapping[str, np.ndarray]
) -> FloatArray:
    x = np.asarray(vectors, dtype=np.float64).copy()
    for i, lang in enumerate(languages):
        x[i] -= means.get(lang, means[""])
    x /= np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-9)
    return np.asarray(x, dtype=np.float32)


def _cluster(vectors: FloatArray, max_themes: int, seed: int) -> np.ndarray:
    """Cluster (centred) vectors with k-means, choosing k by the silhouette (cosine)."""
    # scikit-learn is imported here for start-up cost (about a second), as below.
    from sklearn.cluster import KMeans, MiniBatchKMeans
    from sklearn.metrics import silhouette_score

    n = len(vectors)
    top = int(min(max_themes, n // MIN_THEME_SIZE))
    if n < 2 * MIN_THEME_SIZE or top < 2:
        return np.zeros(n, dtype=np.int64)
    kmeans_cls = MiniBatchKMeans if n > 5000 else KMeans
    rng = np.random.default_rng(seed)
    probe = np.sort(rng.choice(n, size=min(n, SILHOUETTE_SAMPLE), replace=False))
    best: tuple[float, np.ndarray] | None = None
    for k in range(2, top + 1):
        labels = np.asarray(
            kmeans_cls(n_clusters=k, random_state=seed, n_init=KMEANS_INIT).fit_predict(vectors),
            dtype=np.int64,
        )
        if len(set(labels[probe].tolist())) < 2:
            continue
        score = float(silhouette_score(vectors[probe], labels[probe], metric="cosine"))
        if best is None or score > best[0]:
            best = (score, labels)
    if best is None:
        return np.zeros(n, dtype=np.int64)
    return best[1]


def _assign_rest(
    sample_texts: Sequence[str], sample_labels: np.ndarray, rest: Sequence[str]
) -> np.ndarray:
    if not rest:
        return np.zeros(0, dtype=np.int64)
    if len(set(sample_labels.tolist())) < 2:
        return np.full(len(rest), int(sample_labels[0]), dtype=np.int64)
    from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer
    from sklearn.svm import LinearSVC

    hasher = HashingVectorizer(
        analyzer="char_wb", ngram_range=(2, 4), n_features=2**18, alternate_sign=False
    )
    tfidf = TfidfTransformer(sublinear_tf=True)
    x = tfidf.fit_transform(hasher.transform(sample_texts))
    model = LinearSVC(C=0.5).fit(x, sample_labels)
    out = []
    for start in range(0, len(rest), 20000):
        part = tfidf.transform(hasher.transform(rest[start : start + 20000]))
        out.append(np.asarray(model.predict(part), dtype=np.int64))
    return np.concatenate(out)


def _labels(
    texts: Sequence[str],
    languages: Sequence[str],
    theme_of: np.ndarray,
    n_themes: int,
    exclude: frozenset[str] = frozenset(),
) -> dict[int, dict[str, list[str]]]:
    """Return, per theme and per language, the top c-TF-IDF terms.

    Stop words, numbers, words of dates and times (tokens.date_number_words) and ``exclude``
    are never labels.
    """
    by_language: dict[str, list[int]] = {}
    for i, lang in enumerate(languages):
        by_language.setdefault(lang, []).append(i)
    out: dict[int, dict[str, list[str]]] = {t: {} for t in range(n_themes)}
    for lang, members in by_language.items():
        code = None if lang == UNKNOWN else lang
        banned = date_number_words(code) | exclude
        counts = [Counter[str]() for _ in range(n_themes)]
        for i in members:
            words = {w for w in tokenize(texts[i], code) if w not in banned and len(w) > 2}
            counts[int(theme_of[i])].update(words)
        overall: Counter[str] = Counter()
        for c in counts:
            overall.update(c)
        average = sum(overall.values()) / max(1, sum(1 for c in counts if c))
        docs = Counter(int(theme_of[i]) for i in members)
        for t, c in enumerate(counts):
            total = sum(c.values())
            if not total:
                continue
            # A label is said by a fair part of the theme's comments in this language (a
            # fifth, at least two), not by two comments that happen to share a rare word.
            least = max(2, math.ceil(LABEL_MIN_SHARE * docs[t]))
            if not any(n >= least for n in c.values()):
                least = 2 if any(n >= 2 for n in c.values()) else 1
            score = {
                w: (n / total) * math.log(1 + average / overall[w])
                for w, n in c.items()
                if n >= least
            }
            top = sorted(score, key=lambda w: (-score[w], w))[:LABEL_TERMS]
            if top:
                out[t][lang] = [display(w) for w in top]
    return out


def _quote(text: str, limit: int = EXAMPLE_CHARS) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit]
    return cut.rstrip(" ,;:") + "…"


def _find(
    texts: Sequence[object],
    *,
    language: str | None,
    languages: Sequence[str] | None,
    analyses: Sequence[Analysis] | None,
    embeddings: FloatArray | None,
    exclude: Iterable[str] | None,
    max_themes: int,
    sample_size: int,
    examples: int,
    seed: int,
) -> list[Theme]:
    cleaned = [clean(t) for t in texts]
    valid = [i for i, t in enumerate(cleaned) if letter_count(t) >= 2]
    if not valid:
        return []
    if languages is not None and len(languages) == len(cleaned):
        langs = [str(languages[i] or UNKNOWN) for i in valid]
    elif analyses is not None and len(analyses) == len(cleaned):
        langs = [analyses[i].language for i in valid]
    else:
        langs = [detect_language(cleaned[i])[0] for i in valid]
    rng = np.random.default_rng(seed)
    n = len(valid)
    sample = np.sort(rng.choice(n, size=min(n, sample_size), replace=False))
    sample_langs = [langs[j] for j in sample]
    if embeddings is not None and len(embeddings) == len(cleaned):
        given: FloatArray = np.asarray(embeddings, dtype=np.float32)[valid]
        all_vectors: FloatArray | None = given
        vectors = given[sample]
    else:
        all_vectors = None
        vectors = embed([cleaned[valid[j]] for j in sample])
    # Sentiment of the sample: for the themes' sentiment, and to take it out of the vectors.
    if analyses is not None and len(analyses) == len(cleaned):
        sentiment_of = np.array([analyses[i].sentiment_score for i in valid], dtype=np.float64)
        has_sentiment = np.ones(n, dtype=bool)
    else:
        # Without analyses: the sample's polarity in [-1, 1] (no per-language bands).
        polarity, _ = polarities(vectors, get_backend())
        sentiment_of = np.zeros(n, dtype=np.float64)
        has_sentiment = np.zeros(n, dtype=bool)
        sentiment_of[sample] = np.clip(np.asarray(polarity, dtype=np.float64), -1.0, 1.0)
        has_sentiment[sample] = True
    means = _language_means(vectors, sample_langs)
    centred = _centre_with(vectors, sample_langs, means)
    # How comments feel is as strong a direction as what they are about (k-means splits
    # praise from complaints): remove the direction that goes with the sentiment score.
    # With few comments that direction is mostly their topics: left alone then.
    axis = None
    if len(sample) >= MIN_SENTIMENT_AXIS:
        polarity_sample = sentiment_of[sample]
        axis = centred.T.astype(np.float64) @ (polarity_sample - polarity_sample.mean())
        centred = _without(centred, axis)
    sample_labels = _cluster(centred, max_themes, seed)
    n_themes = int(sample_labels.max()) + 1
    theme_of = np.full(n, -1, dtype=np.int64)
    theme_of[sample] = sample_labels
    rest = np.setdiff1d(np.arange(n), sample)
    if len(rest):
        if all_vectors is not None:
            centroids = np.vstack([centred[sample_labels == t].mean(0) for t in range(n_themes)])
            rest_centred = _without(
                _centre_with(all_vectors[rest], [langs[i] for i in rest], means), axis
            )
            theme_of[rest] = np.argmax(rest_centred @ centroids.T, axis=1)
        else:
            theme_of[rest] = _assign_rest(
                [cleaned[valid[j]] for j in sample],
                sample_labels,
                [cleaned[valid[j]] for j in rest],
            )
    texts_valid = [cleaned[i] for i in valid]
    banned = frozenset(w.lower().replace(" ", "_") for w in exclude or ())
    term_labels = _labels(texts_valid, langs, theme_of, n_themes, banned)
    result = []
    for t in range(n_themes):
        members = np.flatnonzero(theme_of == t)
        if not len(members):
            continue
        counts = Counter(langs[i] for i in members)
        by_lang = term_labels[t]
        ordered = [lang for lang, _ in counts.most_common() if lang in by_lang]
        label_language = language if language in by_lang else (ordered[0] if ordered else "")
        terms = tuple(by_lang.get(label_language, []))
        sample_members = np.flatnonzero(sample_labels == t)
        closest: list[int] = []
        if len(sample_members):
            centroid = centred[sample_members].mean(0)
            order = sample_members[np.argsort(-(centred[sample_members] @ centroid))]
            closest = [int(sample[j]) for j in order[:examples]]
        else:
            closest = [int(i) for i in members[:examples]]
        sent = sentiment_of[members][has_sentiment[members]]
        result.append(
            Theme(
                label=", ".join(terms) or _quote(texts_valid[closest[0]], 40),
                language=label_language or counts.most_common(1)[0][0],
                terms=terms,
                size=int(len(members)),
                share=round(len(members) / n, 4),
                sentiment=round(float(sent.mean()), 4) if len(sent) else None,
                examples=tuple(_quote(texts_valid[i]) for i in closest),
                labels={lang: ", ".join(words) for lang, words in by_lang.items()},
                indices=tuple(int(valid[i]) for i in members),
            )
        )
    result.sort(key=lambda theme: (-theme.size, theme.label))
    return result


def discover(
    texts: Sequence[object],
    *,
    languages: Sequence[str] | None = None,
    exclude: Iterable[str] | None = None,
    seed: int = 0,
    max_themes: int = 12,
    embeddings: FloatArray | None = None,
    sample_size: int = SAMPLE_SIZE,
    examples: int = 3,
) -> list[Theme]:
    """Propose the themes of ``texts`` from the comments themselves, largest first.

    ``languages`` gives each comment's ISO 639-1 code (same order), else it is detected.
    ``exclude`` lists words never to use as labels (the brand's own name, say). The number
    of themes (2 to ``max_themes``) is chosen from the data by the silhouette. Each
    :class:`Theme` has labels per language (``labels``), its size, share, member indices and
    a few short quotes (``examples``). ``embeddings`` (from :func:`embed`) skips embedding.
    """
    return _find(
        texts,
        language=None,
        languages=languages,
        analyses=None,
        embeddings=embeddings,
        exclude=exclude,
        max_themes=max_themes,
        sample_size=sample_size,
        examples=examples,
        seed=seed,
    )


def themes(
    texts: Sequence[object],
    language: str | None = None,
    *,
    analyses: Sequence[Analysis] | None = None,
    embeddings: FloatArray | None = None,
    max_themes: int = 12,
    sample_size: int = SAMPLE_SIZE,
    examples: int = 3,
    seed: int = 0,
    exclude: Sequence[str] | None = None,
) -> list[Theme]:
    """Return the themes of ``texts``, largest first (the method of :func:`discover`).

    ``language`` (ISO 639-1) asks for labels in that language where its comments allow;
    otherwise each theme is labelled in the language most of its comments use. Pass
    ``analyses`` (from :func:`analyze_many`, same order) to reuse their languages and
    sentiment, and ``embeddings`` (from :func:`embed`, same order) to skip embedding.
    Only ``sample_size`` comments are embedded; the rest are assigned to the nearest theme.
    ``exclude`` lists words never used as labels (the business's own name).
    """
    return _find(
        texts,
        language=language,
        languages=None,
        analyses=analyses,
        embeddings=embeddings,
        exclude=exclude,
        max_themes=max_themes,
        sample_size=sample_size,
        examples=examples,
        seed=seed,
    )
