"""Distinctive terms of one set of comments against another.

The score is the weighted log-odds ratio with an informative Dirichlet prior of Monroe, Colaresi
and Quinn (2008), "Fightin' Words: Lexical Feature Selection and Evaluation for Identifying the
Content of Political Conflict", Political Analysis 16(4), eq. 16-22: the prior for each word is
its frequency in both sets together, scaled to ``prior_size`` pseudo-counts, and the log-odds
difference is divided by its approximate standard deviation, giving a z-score.
"""

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from contento.text.tokens import display, tokenize


@dataclass(frozen=True)
class Keyword:
    """A term that is more (z > 0) or less (z < 0) common in a set than in its background."""

    term: str
    z: float
    count: int
    background_count: int

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-ready dict."""
        return {
            "term": self.term,
            "z": self.z,
            "count": self.count,
            "background_count": self.background_count,
        }


def _counts(texts: Iterable[object], language: str | None, ngrams: bool) -> Counter[str]:
    counts: Counter[str] = Counter()
    for text in texts:
        words = tokenize(text, language)
        counts.update(words)
        if ngrams:
            counts.update(f"{a} {b}" for a, b in zip(words, words[1:], strict=False))
    return counts


def log_odds(
    target: Counter[str], background: Counter[str], prior_size: float = 1000.0
) -> dict[str, float]:
    """Return the z-scored log-odds (Monroe et al. 2008) of each word, target vs background."""
    total = target + background
    n_all = sum(total.values())
    n_t, n_b = sum(target.values()), sum(background.values())
    if n_all == 0 or n_t == 0 or n_b == 0:
        return {}
    a0 = float(prior_size)
    z: dict[str, float] = {}
    for word, count in total.items():
        a = a0 * count / n_all
        y_t, y_b = target.get(word, 0), background.get(word, 0)
        delta = math.log((y_t + a) / (n_t + a0 - y_t - a)) - math.log(
            (y_b + a) / (n_b + a0 - y_b - a)
        )
        z[word] = delta / math.sqrt(1.0 / (y_t + a) + 1.0 / (y_b + a))
    return z


def keywords(
    texts: Iterable[object],
    language: str | None,
    background: Iterable[object] | None = None,
    top: int = 15,
    min_count: int = 2,
    ngrams: bool = True,
) -> list[Keyword]:
    """Return the ``top`` terms most typical of ``texts`` compared with ``background``.

    ``language`` (ISO 639-1) picks word segmentation and stop words. Without a background,
    the most frequent non-stop-word terms are returned, with ``z = 0``.
    """
    target = _counts(texts, language, ngrams)
    if background is None:
        common = [(w, c) for w, c in target.most_common() if c >= min_count][:top]
        return [Keyword(display(w), 0.0, c, 0) for w, c in common]
    back = _counts(background, language, ngrams)
    scores = log_odds(target, back)
    ranked = sorted(
        (w for w in scores if target.get(w, 0) >= min_count), key=lambda w: (-scores[w], w)
    )
    return [
        Keyword(display(w), round(scores[w], 3), target.get(w, 0), back.get(w, 0))
        for w in ranked[:top]
        if scores[w] > 0
    ]
