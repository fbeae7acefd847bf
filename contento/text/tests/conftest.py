"""Fixtures for contento.text: no network, one model load per session, a fake backend."""

import hashlib
import ipaddress
import socket
from collections.abc import Iterator, Mapping, Sequence

import numpy as np
import pytest

from contento.text import backends


def _is_loopback(address: object) -> bool:
    if isinstance(address, tuple) and address:
        host = str(address[0])
        if host == "localhost":
            return True
        try:
            return ipaddress.ip_address(host.split("%")[0]).is_loopback
        except ValueError:
            return False
    return isinstance(address, str | bytes)  # AF_UNIX paths stay on this machine


@pytest.fixture(autouse=True, scope="session")
def _no_network() -> Iterator[None]:
    """Fail any connection beyond loopback: every model must come from an installed package."""
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def guard(address: object) -> None:
        if not _is_loopback(address):
            raise AssertionError(f"contento.text tried to reach the network: {address!r}")

    def connect(self: socket.socket, address: object) -> None:
        guard(address)
        real_connect(self, address)  # type: ignore[arg-type]

    def connect_ex(self: socket.socket, address: object) -> int:
        guard(address)
        return real_connect_ex(self, address)  # type: ignore[arg-type]

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(socket.socket, "connect", connect)
        mp.setattr(socket.socket, "connect_ex", connect_ex)
        yield


@pytest.fixture(scope="session")
def default_backend() -> backends.Backend:
    """Return the default backend, loaded once for the whole session."""
    backends.set_backend(None)
    return backends.get_backend()


class FakeBackend:
    """Deterministic hashed bag-of-words vectors: fast, for the plumbing tests."""

    def __init__(self, name: str = "fake-1", labels: Mapping[str, float] | None = None) -> None:
        self.name = name
        self.labels = labels
        self.calls = 0
        self.texts = 0

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        self.texts += len(texts)
        out = np.zeros((len(texts), 64), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in text.lower().split():
                h = int(hashlib.md5(word.encode(), usedforsecurity=False).hexdigest(), 16)
                out[i, h % 64] += 1.0
            out[i] /= max(1e-9, float(np.linalg.norm(out[i])))
        return out

    def classify(self, texts: Sequence[str]) -> list[Mapping[str, float]] | None:
        return None if self.labels is None else [self.labels for _ in texts]


@pytest.fixture
def fake_backend() -> Iterator[FakeBackend]:
    """Swap in a :class:`FakeBackend` for one test, then go back to the default."""
    fake = FakeBackend()
    backends.set_backend(fake)
    yield fake
    backends.set_backend(None)
