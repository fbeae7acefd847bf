"""A text model for tests of the code that uses `contento.text`: fast and predictable.

`WordBackend` reads sentiment and anger from a few words (English, and a few Spanish ones) and
embeds texts as hashed bags of words, so tests can say what each text will be read as without
loading a model. Install it with `contento.text.set_backend(WordBackend())`.
"""

import hashlib
import re
from collections.abc import Sequence

import numpy as np


class WordBackend:
    """A text model that reads a few words: negative, angry, positive, else neutral."""

    def __init__(
        self,
        name: str = "words-1",
        fail_after: int | None = None,
        error: type[Exception] = RuntimeError,
    ) -> None:
        self.name = name
        self.fail_after = fail_after
        self.error = error
        self.texts = 0

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), 64), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                digest = hashlib.md5(word.encode(), usedforsecurity=False).hexdigest()
                out[i, int(digest, 16) % 64] += 1.0
            out[i] /= max(1e-9, float(np.linalg.norm(out[i])))
        return out

    def classify(self, texts: Sequence[str]) -> list[dict[str, float]]:
        if self.fail_after is not None and self.texts + len(texts) > self.fail_after:
            raise self.error("the model stopped")
        self.texts += len(texts)
        result = []
        for text in texts:
            words = set(re.findall(r"\w+", text.lower()))
            if words & {"furious", "unacceptable"}:
                result.append({"negative": 0.9, "anger": 0.9})
            elif words & {"slow", "late", "lento"}:
                result.append({"negative": 0.7, "anger": 0.1})
            elif words & {"great", "love", "excelente"}:
                result.append({"positive": 0.9, "anger": 0.0})
            else:
                result.append({"neutral": 0.9})
        return result
