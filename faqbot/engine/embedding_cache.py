"""An on-disk cache of sentence embeddings, so that a restart does not run the model for known texts.

Each text is keyed by sha256(model checksum + text): a different model never reuses a vector, and the
file holds no readable text. The whole store is one .npz (arrays model, keys, vectors) rewritten
atomically (temporary file + os.replace) when new texts were encoded; a reader never sees half a file.
A corrupt or unreadable file is logged and replaced, never fatal: the cache only saves time.
Several processes may share a file; if two write at once, the last write wins and the other's new
vectors are simply encoded again later.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

log = logging.getLogger(__name__)


class TextEncoder(Protocol):
    """What the store needs of an encoder (faqbot.engine.embedding.Encoder has it)."""

    model_sha256: str
    dimension: int

    def encode(self, texts: Sequence[str], *, batch_size: int = 32) -> np.ndarray: ...


class EmbeddingStore:
    """Vectors for texts, from the file at path when known, from the encoder (then saved) when not."""

    def __init__(self, path: Path | str, encoder: TextEncoder) -> None:
        self.path = Path(path)
        self._encoder = encoder
        self._lock = threading.Lock()
        self._loaded = False
        self._keys: list[str] = []
        self._index: dict[str, int] = {}
        self._matrix = np.empty((0, encoder.dimension), dtype=np.float32)

    def key(self, text: str) -> str:
        digest = hashlib.sha256(self._encoder.model_sha256.encode("ascii") + b"\0")
        digest.update(text.encode("utf-8", errors="surrogatepass"))
        return digest.hexdigest()

    def vectors(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors [len(texts), dimension] in the order of texts; only unknown texts are encoded."""
        if isinstance(texts, str):
            raise TypeError("vectors() takes a sequence of texts")
        keys = [self.key(text) for text in texts]
        with self._lock:
            if not self._loaded:
                self._load()
            missing: dict[str, str] = {}
            for key, text in zip(keys, texts):
                if key not in self._index:
                    missing.setdefault(key, text)
            if missing:
                new = np.asarray(self._encoder.encode(list(missing.values())), dtype=np.float32)
                for key in missing:
                    self._index[key] = len(self._keys)
                    self._keys.append(key)
                self._matrix = np.concatenate([self._matrix, new])
                self._save()
            return self._matrix[[self._index[key] for key in keys]]

    def __len__(self) -> int:
        with self._lock:
            if not self._loaded:
                self._load()
            return len(self._keys)

    def _load(self) -> None:
        self._loaded = True
        try:
            with np.load(self.path, allow_pickle=False) as data:
                model, keys, matrix = str(data["model"]), data["keys"], data["vectors"]
        except FileNotFoundError:
            return
        except Exception as error:  # any damage to the file: start afresh, the next save replaces it
            log.warning(
                "ignoring unreadable embedding cache %s (%s: %s); it will be rewritten",
                self.path,
                type(error).__name__,
                error,
            )
            return
        dimension = self._encoder.dimension
        if (
            keys.ndim != 1
            or keys.dtype.kind != "U"
            or matrix.dtype != np.float32
            or matrix.shape != (len(keys), dimension)
        ):
            log.warning(
                "ignoring embedding cache %s: keys %s %s and vectors %s %s do not fit %d dimensions; "
                "it will be rewritten",
                self.path,
                keys.dtype,
                keys.shape,
                matrix.dtype,
                matrix.shape,
                dimension,
            )
            return
        if model != self._encoder.model_sha256:
            log.info("embedding cache %s was made by another model; starting afresh", self.path)
            return
        self._keys = keys.tolist()
        self._index = {key: row for row, key in enumerate(self._keys)}
        self._matrix = matrix

    def _save(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".tmp")
        except OSError as error:
            log.warning("cannot write embedding cache %s: %s", self.path, error)
            return
        try:
            with os.fdopen(handle, "wb") as out:
                np.savez(
                    out,
                    model=np.array(self._encoder.model_sha256),
                    keys=np.array(self._keys, dtype="U64"),
                    vectors=self._matrix,
                )
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, self.path)
        except OSError as error:
            log.warning("cannot write embedding cache %s: %s", self.path, error)
            Path(temporary).unlink(missing_ok=True)


__all__ = ["EmbeddingStore", "TextEncoder"]
