"""Measure theme discovery and taxonomy assignment of contento.text on a labelled set.

Data: bench/data/themes/comments.tsv (columns lang, topic, text; balanced topics x languages)
and bench/data/themes/taxonomy_en.json (the same topics described in English only). Prints:

* discovery (``contento.text.themes.discover``): NMI with the true topics, number of themes
  and share of the largest theme, per seed and the mean over the seeds;
* taxonomy assignment (``contento.text.taxonomy.assign``): per language, top-1 accuracy on the
  comments that got a theme, coverage (share that got one), macro-F1 over the topics with "no
  theme" counted wrong, and the share of all assignments that are wrong.

Embeddings are cached in /tmp (npz, keyed by backend and text), so a rerun takes seconds.
Run from the repository root: ``.venv/bin/python bench/text_themes.py [--seeds 3]``.
"""

import argparse
import csv
import hashlib
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from contento.text import taxonomy as taxonomy_module  # noqa: E402
from contento.text.analysis import embed  # noqa: E402
from contento.text.backends import get_backend  # noqa: E402
from contento.text.themes import discover  # noqa: E402
from contento.text.tokens import date_number_words, stop_words  # noqa: E402

DATA = ROOT / "bench" / "data" / "themes"
CACHE_DIR = Path("/tmp")


class CachedEmbed:
    """``embed`` with a per-text npz cache in /tmp for one backend."""

    def __init__(self) -> None:
        name = getattr(get_backend(), "name", "backend")
        digest = hashlib.sha1(name.encode()).hexdigest()[:10]
        self.path = CACHE_DIR / f"contento_text_themes_{digest}.npz"
        self.vectors: dict[str, np.ndarray] = {}
        if self.path.exists():
            data = np.load(self.path, allow_pickle=False)
            for text, vector in zip(data["texts"].tolist(), data["vectors"], strict=True):
                self.vectors[str(text)] = vector

    def __call__(self, texts: Sequence[object], batch_size: int = 256) -> np.ndarray:
        keys = [str(t) for t in texts]
        missing = list(dict.fromkeys(k for k in keys if k not in self.vectors))
        if missing:
            for text, vector in zip(missing, embed(missing, batch_size), strict=True):
                self.vectors[text] = vector
            texts_array = np.array(list(self.vectors), dtype=str)
            np.savez(self.path, texts=texts_array, vectors=np.vstack(list(self.vectors.values())))
        if not keys:
            return np.zeros((0, 0), dtype=np.float32)
        return np.vstack([self.vectors[k] for k in keys]).astype(np.float32)


def load_comments(path: Path = DATA / "comments.tsv") -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return [dict(row) for row in csv.DictReader(f, delimiter="\t")]


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    cells = [[str(h) for h in headers]] + [
        [f"{c:.3f}" if isinstance(c, float) else str(c) for c in row] for row in rows
    ]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = [" | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in cells]
    lines.insert(1, "-|-".join("-" * w for w in widths))
    return "\n".join(lines)


def measure_discovery(
    rows: Sequence[dict[str, str]], cached: CachedEmbed, seeds: int
) -> dict[str, Any]:
    from sklearn.metrics import normalized_mutual_info_score

    texts = [r["text"] for r in rows]
    truth = [r["topic"] for r in rows]
    vectors = cached(texts)
    runs = []
    bad_labels: list[str] = []
    first_themes = None
    for seed in range(seeds):
        start = time.perf_counter()
        found = discover(texts, languages=[r["lang"] for r in rows], seed=seed, embeddings=vectors)
        seconds = time.perf_counter() - start
        predicted = np.full(len(texts), -1)
        for t, theme in enumerate(found):
            predicted[list(theme.indices)] = t
        nmi = float(normalized_mutual_info_score(truth, predicted))
        runs.append((seed, nmi, len(found), max(t.share for t in found), seconds))
        for theme in found:
            for lang, label in theme.labels.items():
                for word in label.split(", "):
                    token = word.lower().replace(" ", "_")
                    if token in stop_words(lang) or token in date_number_words(lang):
                        bad_labels.append(f"{lang}:{word}")
        if first_themes is None:
            first_themes = found
    return {"runs": runs, "bad_labels": bad_labels, "themes": first_themes or []}


def measure_taxonomy(
    rows: Sequence[dict[str, str]], taxonomy: list[Any], threshold: float | None = None
) -> list[tuple[object, ...]]:
    from sklearn.metrics import f1_score

    result = taxonomy_module.assign([r["text"] for r in rows], taxonomy, threshold=threshold)
    keys = sorted({t.key for t in taxonomy})
    out: list[tuple[object, ...]] = []
    languages = sorted({r["lang"] for r in rows})
    for lang in [*languages, "all"]:
        picked = [i for i, r in enumerate(rows) if lang in ("all", r["lang"])]
        truth = [rows[i]["topic"] for i in picked]
        top = [result[i][0].key if result[i] else "none" for i in picked]
        covered = [j for j, p in enumerate(top) if p != "none"]
        accuracy = float(np.mean([top[j] == truth[j] for j in covered])) if covered else 0.0
        f1 = float(f1_score(truth, top, labels=keys, average="macro", zero_division=0))
        given = [(a.key, rows[i]["topic"]) for i in picked for a in result[i]]
        wrong = float(np.mean([k != t for k, t in given])) if given else 0.0
        out.append((lang, len(picked), accuracy, len(covered) / len(picked), f1, wrong, len(given)))
    return out


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    """Print the tables; return the figures (for other benches)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--threshold", type=float, default=None)
    parser.add_argument("--sweep", action="store_true", help="also try several thresholds")
    args = parser.parse_args(argv)
    rows = load_comments()
    cached = CachedEmbed()
    figures: dict[str, Any] = {}

    disc = measure_discovery(rows, cached, args.seeds)
    runs = disc["runs"]
    print(f"Discovery on {len(rows)} comments ({DATA / 'comments.tsv'})")
    body: list[list[object]] = [[s, n, k, sh, round(sec, 2)] for s, n, k, sh, sec in runs]
    body.append(["mean", *[float(np.mean([r[i] for r in runs])) for i in (1, 2, 3, 4)]])
    print(table(["seed", "NMI", "themes", "largest share", "seconds"], body))
    print(f"stop/date/number words among labels: {disc['bad_labels'] or 'none'}")
    for theme in disc["themes"]:
        en = theme.labels.get("en", theme.label)
        print(f"  {theme.share:5.1%}  {en}  | {theme.labels.get('vi', '')}")
    figures["discovery"] = {
        "runs": runs,
        "nmi": float(np.mean([r[1] for r in runs])),
        "themes": float(np.mean([r[2] for r in runs])),
        "largest_share": float(np.mean([r[3] for r in runs])),
        "bad_labels": disc["bad_labels"],
    }

    taxonomy_path = DATA / "taxonomy_en.json"
    if taxonomy_path.exists():
        taxonomy = taxonomy_module.load_taxonomy(taxonomy_path)
        taxonomy_module.embed = cached  # type: ignore[assignment]  # cache sentences too
        headers = ["lang", "n", "top-1 acc", "coverage", "macro-F1", "wrong share", "given"]
        thresholds = [args.threshold]
        if args.sweep:
            thresholds += [0.1, 0.3, 0.5, 0.7, 0.9]
        for threshold in thresholds:
            shown = taxonomy_module.DEFAULT_THRESHOLD if threshold is None else threshold
            found = measure_taxonomy(rows, taxonomy, threshold)
            print(f"\nTaxonomy assignment, English-only taxonomy, threshold {shown}")
            print(table(headers, found))
            figures.setdefault("taxonomy", {})[shown] = found
    else:
        print(f"\n{taxonomy_path} is missing: taxonomy assignment not measured")
    return figures


if __name__ == "__main__":
    main()
