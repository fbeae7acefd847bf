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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from contento.text.analysis import Analysis, embed, raw_scores
from contento.text.analysis import _calibrated as calibrated
from contento.text.backends import FloatArray, get_backend
from contento.text.cleaning import clean, letter_count
from contento.text.language import UNKNOWN, detect_language
from contento.text.tokens import display, tokenize

SAMPLE_SIZE = 1000
MERGE_DISTANCE = 0.08  # cosine distance under which two clusters' centroids are one theme
LABEL_TERMS = 3
EXAMPLE_CHARS = 300


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


def _cluster(vectors: FloatArray, max_themes: int, seed: int) -> np.ndarray:
    # scikit-learn is imported here for start-up cost (about a second), as below.
    from sklearn.cluster import AgglomerativeClustering, KMeans, MiniBatchKMeans

    n = len(vectors)
    k = int(min(n, max(2, min(4 * max_themes, round(math.sqrt(n))))))
    if n < 3:
        return np.zeros(n, dtype=np.int64)
    kmeans_cls = MiniBatchKMeans if n > 5000 else KMeans
    fine = kmeans_cls(n_clusters=k, random_state=seed, n_init=3).fit(vectors)
    centroids = fine.cluster_centers_ / np.maximum(
        np.linalg.norm(fine.cluster_centers_, axis=1, keepdims=True), 1e-9
    )
    merge = AgglomerativeClustering(
        n_clusters=None, distance_threshold=MERGE_DISTANCE, metric="cosine", linkage="average"
    ).fit(centroids)
    coarse = np.asarray(merge.labels_)
    if coarse.max() + 1 > max_themes:
        coarse = np.asarray(
            AgglomerativeClustering(n_clusters=max_themes, metric="cosine", linkage="average")
            .fit(centroids)
            .labels_
        )
    return np.asarray(coarse[fine.labels_], dtype=np.int64)


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
    texts: Sequence[str], languages: Sequence[str], theme_of: np.ndarray, n_themes: int
) -> dict[int, dict[str, list[str]]]:
    """Return, per theme and per language, the top c-TF-IDF terms."""
    by_language: dict[str, list[int]] = {}
    for i, lang in enumerate(languages):
        by_language.setdefault(lang, []).append(i)
    out: dict[int, dict[str, list[str]]] = {t: {} for t in range(n_themes)}
    for lang, members in by_language.items():
        counts = [Counter[str]() for _ in range(n_themes)]
        for i in members:
            words = tokenize(texts[i], None if lang == UNKNOWN else lang)
            counts[int(theme_of[i])].update(set(words))
        overall: Counter[str] = Counter()
        for c in counts:
            overall.update(c)
        average = sum(overall.values()) / max(1, sum(1 for c in counts if c))
        for t, c in enumerate(counts):
            total = sum(c.values())
            if not total:
                continue
            score = {
                w: (n / total) * math.log(1 + average / overall[w]) for w, n in c.items() if n >= 2
            }
            top = sorted(score, key=lambda w: (-score[w], w))[:LABEL_TERMS]
            if top:
                out[t][lang] = [display(w) for w in top]
    return out


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
) -> list[Theme]:
    """Return the themes of ``texts``, largest first.

    ``language`` (ISO 639-1) asks for labels in that language where its comments allow;
    otherwise each theme is labelled in the language most of its comments use. Pass
    ``analyses`` (from :func:`analyze_many`, same order) to reuse their languages and
    sentiment, and ``embeddings`` (from :func:`embed`, same order) to skip embedding.
    Only ``sample_size`` comments are embedded; the rest are assigned to the nearest theme.
    """
    cleaned = [clean(t) for t in texts]
    valid = [i for i, t in enumerate(cleaned) if letter_count(t) >= 2]
    if not valid:
        return []
    if analyses is not None and len(analyses) == len(cleaned):
        languages = [analyses[i].language for i in valid]
    else:
        languages = [detect_language(cleaned[i])[0] for i in valid]
    rng = np.random.default_rng(seed)
    n = len(valid)
    sample = np.sort(rng.choice(n, size=min(n, sample_size), replace=False))
    if embeddings is not None and len(embeddings) == len(cleaned):
        given: FloatArray = np.asarray(embeddings, dtype=np.float32)[valid]
        all_vectors: FloatArray | None = given
        vectors = given[sample]
    else:
        all_vectors = None
        vectors = embed([cleaned[valid[j]] for j in sample])
    sample_labels = _cluster(vectors, max_themes, seed)
    n_themes = int(sample_labels.max()) + 1
    theme_of = np.full(n, -1, dtype=np.int64)
    theme_of[sample] = sample_labels
    rest = np.setdiff1d(np.arange(n), sample)
    if len(rest):
        if all_vectors is not None:
            centroids = np.vstack([vectors[sample_labels == t].mean(0) for t in range(n_themes)])
            theme_of[rest] = np.argmax(all_vectors[rest] @ centroids.T, axis=1)
        else:
            theme_of[rest] = _assign_rest(
                [cleaned[valid[j]] for j in sample],
                sample_labels,
                [cleaned[valid[j]] for j in rest],
            )
    texts_valid = [cleaned[i] for i in valid]
    term_labels = _labels(texts_valid, languages, theme_of, n_themes)
    if analyses is not None and len(analyses) == len(cleaned):
        sentiment_of = np.array([analyses[i].sentiment_score for i in valid], dtype=np.float64)
        has_sentiment = np.ones(n, dtype=bool)
    else:
        raw = raw_scores(vectors, get_backend())
        sentiment_of = np.zeros(n, dtype=np.float64)
        has_sentiment = np.zeros(n, dtype=bool)
        for j, i in enumerate(sample):
            sentiment_of[i] = calibrated({k: float(v[j]) for k, v in raw.items()})[0]
            has_sentiment[i] = True
    result = []
    for t in range(n_themes):
        members = np.flatnonzero(theme_of == t)
        if not len(members):
            continue
        langs = Counter(languages[i] for i in members)
        by_lang = term_labels[t]
        ordered = [lang for lang, _ in langs.most_common() if lang in by_lang]
        label_language = language if language in by_lang else (ordered[0] if ordered else "")
        terms = tuple(by_lang.get(label_language, []))
        sample_members = np.flatnonzero(sample_labels == t)
        centroid = vectors[sample_members].mean(0)
        closest = sample_members[np.argsort(-(vectors[sample_members] @ centroid))][:examples]
        sent = sentiment_of[members][has_sentiment[members]]
        result.append(
            Theme(
                label=", ".join(terms) or texts_valid[int(sample[closest[0]])][:40],
                language=label_language or langs.most_common(1)[0][0],
                terms=terms,
                size=int(len(members)),
                share=round(len(members) / n, 4),
                sentiment=round(float(sent.mean()), 4) if len(sent) else None,
                examples=tuple(texts_valid[int(sample[j])][:EXAMPLE_CHARS] for j in closest),
                labels={lang: ", ".join(words) for lang, words in by_lang.items()},
                indices=tuple(int(valid[i]) for i in members),
            )
        )
    result.sort(key=lambda theme: (-theme.size, theme.label))
    return result
