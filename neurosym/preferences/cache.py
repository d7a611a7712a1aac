"""An on-disk cache of text embeddings, so each text is encoded once per model, ever.

Layout: ``<cache dir>/embeddings/<model id>/<shard>.npz``. A shard holds ``keys`` (the
sha256 of ``model id + "\\n" + text``, hex) and ``vectors`` (float32, one row per key).
Shards are immutable: a process writes a new shard to a temporary file in the same
directory and publishes it with :func:`os.replace`, so readers never see half a file and
two processes never need a lock. When a directory holds more than ``MAX_SHARDS`` shards,
the writer merges the shards it has read into one and deletes only those, so a shard
that another process published meanwhile is never lost.

The cache directory is ``$NEUROSYM_CACHE_DIR``, else ``$XDG_CACHE_HOME/neurosym``, else
``~/.cache/neurosym``. A progress bar is shown while encoding more than
``PROGRESS_MIN`` texts, unless stderr is not a terminal or ``NEUROSYM_PROGRESS=0``.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
import warnings
import zipfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .encoder import Encoder, TextEncoder

MAX_SHARDS = 32
PROGRESS_MIN = 64
_BATCH = 64


def default_cache_dir() -> Path:
    """``$NEUROSYM_CACHE_DIR``, else ``$XDG_CACHE_HOME/neurosym``, else ``~/.cache/neurosym``."""
    if os.environ.get("NEUROSYM_CACHE_DIR"):
        return Path(os.environ["NEUROSYM_CACHE_DIR"])
    if os.environ.get("XDG_CACHE_HOME"):
        return Path(os.environ["XDG_CACHE_HOME"]) / "neurosym"
    return Path.home() / ".cache" / "neurosym"


class EmbeddingCache:
    """Embeddings of texts under one encoder (default: :class:`Encoder`, the bundled
    MiniLM), computed once and kept on disk.

    ``encode_calls`` counts the times this object ran the encoder and ``texts_encoded``
    the texts it encoded: a process that finds everything on disk leaves both at 0 and
    never loads the model.
    """

    def __init__(self, encoder: TextEncoder | None = None, cache_dir: str | Path | None = None) -> None:
        self.encoder = encoder if encoder is not None else Encoder()
        root = Path(cache_dir) if cache_dir is not None else default_cache_dir()
        self.directory = root / "embeddings" / self.encoder.model_id
        self.encode_calls = 0
        self.texts_encoded = 0
        self._vectors: dict[str, np.ndarray] = {}
        self._read: set[str] = set()

    def key(self, text: str) -> str:
        """The content hash under which a text's embedding is stored."""
        return hashlib.sha256(f"{self.encoder.model_id}\n{text}".encode()).hexdigest()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length float32 embeddings of ``texts``, shape ``(len(texts), dim)``.

        Looks in memory, then in shards on disk, and encodes only what is in neither.
        """
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        keys = [self.key(t) for t in texts]
        missing = self._missing(keys, texts)
        if missing:
            self._read_shards()
            missing = self._missing(keys, texts)
        if missing:
            self._encode(missing)
        return np.stack([self._vectors[k] for k in keys])

    def add(self, keys: Sequence[str], vectors: np.ndarray) -> int:
        """Store embeddings computed elsewhere (another process's or machine's cache of the
        same model) under their :meth:`key`; returns how many were new.

        Keys already in memory or on disk are not written again; the new ones go to disk
        as one shard. Plan batches use it to give each worker the embeddings once.
        """
        if len(keys) != len(vectors):
            raise ValueError(f"{len(keys)} keys but {len(vectors)} vectors")
        self._read_shards()
        new = [i for i, k in enumerate(keys) if k not in self._vectors]
        if new:
            fresh = np.asarray(vectors, dtype=np.float32)[new]
            self._vectors.update(zip((keys[i] for i in new), fresh))
            self._publish([keys[i] for i in new], fresh)
        return len(new)

    # -- internals ---------------------------------------------------------------------
    def _missing(self, keys: list[str], texts: Sequence[str]) -> dict[str, str]:
        return {k: t for k, t in zip(keys, texts) if k not in self._vectors}

    def _read_shards(self) -> None:
        """Load every shard not read yet (another process may have written some)."""
        if not self.directory.is_dir():
            return
        for path in sorted(self.directory.glob("*.npz")):
            if path.name in self._read:
                continue
            try:
                with np.load(path, allow_pickle=False) as shard:
                    keys, vectors = shard["keys"], shard["vectors"]
            except FileNotFoundError:   # merged away by another process: its rows are elsewhere
                continue
            except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
                warnings.warn(f"ignoring unreadable embedding shard {path}: {exc}", stacklevel=3)
                continue
            self._vectors.update(zip(keys.tolist(), vectors))
            self._read.add(path.name)

    def _encode(self, missing: dict[str, str]) -> None:
        keys, texts = list(missing), list(missing.values())
        self.encode_calls += 1
        self.texts_encoded += len(texts)
        vectors = self._encode_batches(texts)
        self._vectors.update(zip(keys, vectors))
        self._publish(keys, vectors)
        if len(self._read) > MAX_SHARDS:
            self._merge()

    def _encode_batches(self, texts: list[str]) -> np.ndarray:
        from tqdm import tqdm

        parts = []
        with tqdm(total=len(texts), desc="encoding texts", unit="text", leave=False,
                  disable=not show_progress(len(texts))) as bar:
            for start in range(0, len(texts), _BATCH):
                parts.append(self.encoder.encode(texts[start:start + _BATCH]))
                bar.update(len(parts[-1]))
        return np.concatenate(parts)

    def _publish(self, keys: list[str], vectors: np.ndarray) -> str:
        """Write one shard atomically; returns its file name."""
        self.directory.mkdir(parents=True, exist_ok=True)
        name = hashlib.sha256("".join(keys).encode()).hexdigest()[:24] + ".npz"
        fd, tmp = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                np.savez(f, keys=np.array(keys), vectors=np.asarray(vectors, dtype=np.float32))
            os.replace(tmp, self.directory / name)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        self._read.add(name)
        return name

    def _merge(self) -> None:
        """Replace the shards this object has read by one shard holding all their rows."""
        merged = set(self._read)
        keys = sorted(self._vectors)
        name = self._publish(keys, np.stack([self._vectors[k] for k in keys]))
        for old in merged - {name}:
            (self.directory / old).unlink(missing_ok=True)
        self._read = {name}


def show_progress(n_texts: int) -> bool:
    """A bar is worth showing for many texts, when someone can see it and has not opted out."""
    return (n_texts > PROGRESS_MIN and os.environ.get("NEUROSYM_PROGRESS") != "0"
            and sys.stderr.isatty())
