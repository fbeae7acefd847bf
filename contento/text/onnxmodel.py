"""A backend for a stronger model the operator keeps on disk, run with ONNX Runtime.

Point ``CONTENTO_TEXT_BACKEND`` at a folder, ``onnx:/srv/models/xlm-t-sentiment``, holding:

* ``model.onnx``: a transformer exported to ONNX (for example with ``optimum-cli export onnx``),
  taking ``input_ids`` and ``attention_mask`` (and ``token_type_ids`` if it declares them);
* ``tokenizer.json``: its Hugging Face ``tokenizers`` file;
* ``config.json`` (optional): the export's config; its ``id2label`` names the classifier's
  outputs, and ``problem_type: "multi_label_classification"`` asks for sigmoid instead of
  softmax;
* ``contento.json`` (optional): ``{"prefix": "query: ", "max_length": 256, "name": "..."}``.

The model's outputs decide what the backend does. ``logits`` with labels Contento knows
(positive, neutral, negative, anger, joy, sadness, fear, surprise; case and common aliases
ignored) make :meth:`OnnxBackend.classify` return probabilities, which ``analyze`` uses instead
of the anchors. ``last_hidden_state`` (mean-pooled over the attention mask) or
``sentence_embedding`` gives the embeddings behind ``themes``; a classifier-only export borrows
them from the default e5 backend. Requires the ``onnxruntime`` and ``tokenizers`` packages
(``pip install contento[onnx]``); nothing is downloaded.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from contento.text.backends import Backend, E5Backend, FloatArray

LABELS = ("positive", "neutral", "negative", "anger", "joy", "sadness", "fear", "surprise")
_ALIASES = {
    "pos": "positive",
    "neu": "neutral",
    "neg": "negative",
    "angry": "anger",
    "happiness": "joy",
    "happy": "joy",
    "sad": "sadness",
    "sadness": "sadness",
    "surprised": "surprise",
    "scared": "fear",
}
_EMBEDDING_OUTPUTS = ("sentence_embedding", "last_hidden_state", "token_embeddings")


class OnnxModelError(RuntimeError):
    """The folder does not hold a model this backend can run (the message says why)."""


def _read_json(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise OnnxModelError(f"{path} is not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise OnnxModelError(f"{path} must hold a JSON object")
    return data


def _label_names(config: Mapping[str, Any], width: int) -> list[str | None]:
    raw = config.get("id2label") or {}
    if width <= 0:  # the export left the number of labels symbolic
        width = 1 + max((int(key) for key in raw), default=-1)
    names: list[str | None] = [None] * width
    for key, label in raw.items():
        index = int(key)
        if 0 <= index < width:
            name = str(label).strip().lower()
            name = _ALIASES.get(name, name)
            names[index] = name if name in LABELS else None
    return names


def _softmax(x: np.ndarray) -> np.ndarray:
    shifted = x - x.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=1, keepdims=True)  # type: ignore[no-any-return]


def _normalise(rows: np.ndarray) -> FloatArray:
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    out: FloatArray = (rows / np.maximum(norms, 1e-12)).astype(np.float32)
    return out


class OnnxBackend:
    """An ONNX transformer on disk: a classifier head, embeddings, or both."""

    def __init__(self, path: str | os.PathLike[str], threads: int | None = None) -> None:
        try:  # imported here: the ONNX runtime is optional and slow to import
            import onnxruntime  # type: ignore[import-untyped]
            from tokenizers import Tokenizer
        except ImportError as exc:  # pragma: no cover - depends on the installation
            raise OnnxModelError(
                "The ONNX backend needs the onnxruntime and tokenizers packages: "
                "pip install 'contento[onnx]'"
            ) from exc
        folder = Path(path).expanduser()
        model_file, tokenizer_file = folder / "model.onnx", folder / "tokenizer.json"
        for needed in (model_file, tokenizer_file):
            if not needed.is_file():
                raise OnnxModelError(f"No {needed.name} in {folder}")
        config = _read_json(folder / "config.json")
        options = _read_json(folder / "contento.json")
        self.prefix = str(options.get("prefix", ""))
        self.max_length = int(options.get("max_length", 256))
        self.name = str(options.get("name") or f"onnx/{folder.name}")

        self._tokenizer = Tokenizer.from_file(str(tokenizer_file))
        self._tokenizer.enable_truncation(self.max_length)
        self._tokenizer.enable_padding()
        session_options = onnxruntime.SessionOptions()
        session_options.intra_op_num_threads = threads or os.cpu_count() or 1
        try:
            self._session = onnxruntime.InferenceSession(
                str(model_file), session_options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # onnxruntime raises its own exception types
            raise OnnxModelError(f"ONNX Runtime cannot load {model_file}: {exc}") from exc
        self._inputs = {i.name for i in self._session.get_inputs()}
        if "input_ids" not in self._inputs:
            raise OnnxModelError(f"{model_file} has no input_ids input")
        outputs = {o.name: o for o in self._session.get_outputs()}
        self._embedding_output = next((n for n in _EMBEDDING_OUTPUTS if n in outputs), None)
        self._labels: list[str | None] = []
        if "logits" in outputs:
            shape = outputs["logits"].shape
            width = shape[-1] if shape and isinstance(shape[-1], int) else 0
            self._labels = _label_names(config, width)
        if not any(self._labels) and self._embedding_output is None:
            raise OnnxModelError(
                f"{model_file} has neither logits with known labels ({', '.join(LABELS)}) "
                f"in config.json's id2label nor an embedding output"
            )
        self._multi_label = config.get("problem_type") == "multi_label_classification"
        if self._embedding_output is None:
            self.embedding_name = E5Backend.name  # the anchors shipped for e5 apply
        self._fallback: Backend | None = None
        self._lock = threading.Lock()

    def _run(self, texts: Sequence[str], output: str) -> tuple[np.ndarray, np.ndarray]:
        encodings = self._tokenizer.encode_batch([self.prefix + t for t in texts])
        feed = {"input_ids": np.array([e.ids for e in encodings], dtype=np.int64)}
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        if "attention_mask" in self._inputs:
            feed["attention_mask"] = mask
        if "token_type_ids" in self._inputs:
            feed["token_type_ids"] = np.array([e.type_ids for e in encodings], dtype=np.int64)
        with self._lock:
            (result,) = self._session.run([output], feed)
        result = np.asarray(result, dtype=np.float32)
        if output == "logits" and result.ndim > 2:
            result = result.reshape(len(texts), -1)
        return result, mask

    def embed(self, texts: Sequence[str]) -> FloatArray:
        """Return L2-normalised embeddings (the model's, else the default e5 backend's)."""
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        if self._embedding_output is None:
            if self._fallback is None:
                self._fallback = E5Backend()
            return self._fallback.embed(texts)
        hidden, mask = self._run(texts, self._embedding_output)
        if hidden.ndim == 3:  # token vectors: mean over the real tokens
            weights = mask[:, :, None].astype(np.float32)
            hidden = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1.0)
        return _normalise(hidden)

    def classify(self, texts: Sequence[str]) -> list[Mapping[str, float]] | None:
        """Return the classifier's probabilities per known label, or None without one."""
        if not any(self._labels):
            return None
        if not texts:
            return []
        logits, _mask = self._run(texts, "logits")
        probs = 1.0 / (1.0 + np.exp(-logits)) if self._multi_label else _softmax(logits)
        return [
            {label: float(row[i]) for i, label in enumerate(self._labels) if label} for row in probs
        ]
