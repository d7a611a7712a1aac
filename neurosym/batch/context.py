"""What every request of a batch shares, and how a worker makes it ready once.

:class:`BatchContext` is built by :func:`~neurosym.batch.engine.plan_many` on the
client and travels in a worker plugin (:mod:`.worker`) to each worker once;
:class:`Prepared` is the same context made ready on one worker: the catalog validated
once, the user's rule files on the worker's disk, the embeddings in the worker's
cache, the planner imported. No Dask here: this is plain data and the planner.
"""

from __future__ import annotations

import shutil
import tempfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Embeddings:
    """Text embeddings under one encoder (``model_id``): ``keys`` as
    :meth:`neurosym.preferences.EmbeddingCache.key` makes them, one float32 row each."""

    model_id: str
    keys: list[str]
    vectors: Any  # numpy array (len(keys), dim)

    @property
    def nbytes(self) -> int:
        return int(self.vectors.nbytes) + sum(len(k) for k in self.keys)


@dataclass(frozen=True)
class BatchContext:
    """What every request of a batch shares, sent to each worker once.

    ``catalog_json`` is the catalog's JSON, zlib-compressed (about 12 times smaller;
    ``None``: the demo catalog, which every worker has, when ``demo_catalog`` is set, or
    no shared catalog when every request brings its own); ``rules`` pairs each user rule
    file's path on the client with its content; ``options`` are the keyword arguments of ``plan_itinerary`` (time limit,
    pruning, reproducibility...); ``embeddings`` is set when requests carry histories.
    """

    token: str
    catalog_json: bytes | None = None
    demo_catalog: bool = True
    rules: tuple[tuple[str, bytes], ...] = ()
    options: dict[str, Any] = field(default_factory=dict)
    embeddings: Embeddings | None = None

    @property
    def plugin_name(self) -> str:
        return f"neurosym-batch-{self.token}"


class Prepared:
    """A batch's context made ready on one worker (see :meth:`ContextPlugin.setup`)."""

    def __init__(self, context: BatchContext):
        from ..catalog import Catalog
        from ..demo import load_demo_catalog
        from .. import planner  # noqa: F401 - imported once here, not by the first request

        self.context = context
        self.catalog: Catalog | None = None
        if context.catalog_json is not None:
            self.catalog = Catalog.model_validate_json(zlib.decompress(context.catalog_json))
        elif context.demo_catalog:
            self.catalog = load_demo_catalog()
        self._tmp: str | None = None
        self.rules = [self._rule_path(i, path, text) for i, (path, text) in enumerate(context.rules)]
        self.embeddings_added = _add_embeddings(context.embeddings) if context.embeddings else 0

    def _rule_path(self, i: int, path: str, text: bytes) -> str:
        """The client's path when this machine has the same file there (the itinerary's
        justifications then name the same file), else a copy in a temporary folder."""
        try:
            if Path(path).read_bytes() == text:
                return path
        except OSError:
            pass
        if self._tmp is None:
            self._tmp = tempfile.mkdtemp(prefix="neurosym-rules-")
        copy = Path(self._tmp) / str(i) / Path(path).name
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_bytes(text)
        return str(copy)

    def close(self) -> None:
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None


def _add_embeddings(emb: Embeddings) -> int:
    """Put the batch's embeddings into this worker's cache (the one ``plan_itinerary``'s
    preference model reads); nothing when this machine's encoder is another model."""
    from ..preferences import EmbeddingCache
    from ..preferences.encoder import Encoder

    cache = EmbeddingCache(Encoder())
    if cache.encoder.model_id != emb.model_id:
        return 0
    return cache.add(emb.keys, emb.vectors)
