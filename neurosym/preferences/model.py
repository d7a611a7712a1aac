"""The preference model: what this traveller will like, scored in [0, 1] and explained.

``score = sigmoid(sum of contributions)``, where the contributions are

- one per numeric feature: ``w_f * f(option)`` for the prior (as a logit), the price and
  the duration relative to the kind's median, and the departure hour of a flight;
- one per past item ``j``: ``w_history * a_j * s_j * k_j / D``;
- one per stated like or dislike ``l``: ``w_phrases * s_l * k_l / D'``;

with ``s`` the sentiment (+1 for a like or a 5/5 rating, -1 for a dislike or 1/5, ...),
``a_j`` the recency and kind weight of a past item, ``k = exp((cos - 1) / temperature)``
a kernel on the cosine similarity of the sentence embeddings, and ``D = kappa + sum of
a_j k_j`` (``D' = kappa + sum of k_l``) a shrunk normaliser: each text feature is a kernel
regression of the sentiment, pulled to 0 when nothing similar was seen. The weights ``w``
are fitted by an L2-regularised logistic regression on the traveller's own labelled past
catalog items (chosen versus skipped, and ratings as soft labels), shrunk towards
documented defaults, which are used as they are when there are too few such items. An
empty history scores exactly the prior.
See ``docs/preferences.md``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date as Date
from pathlib import Path
from typing import NamedTuple

import numpy as np

from ..catalog import Attraction, Catalog, Flight, GroundLeg, Hotel, Item, Restaurant, clock, duration, kind_of
from ..prior import journey_minutes, prior_scores
from .cache import EmbeddingCache
from .encoder import Encoder
from .history import HistoryItem, UserHistory

FEATURES: tuple[str, ...] = ("prior", "history", "phrases", "price", "duration", "departure")
"""The features, in the order of ``PreferenceModel.weights_`` and of the regression."""

DEFAULT_WEIGHTS: dict[str, float] = {
    "prior": 1.0, "history": 2.0, "phrases": 2.0, "price": 0.0, "duration": 0.0, "departure": 0.0,
}
"""The weights used when the history has too few labelled past items to fit them."""

PRIOR_SQUEEZE = 0.05
"""The prior enters as ``logit(PRIOR_SQUEEZE + (1 - 2 * PRIOR_SQUEEZE) * prior)``."""

SENTIMENT_CHOSEN, SENTIMENT_SKIPPED, SENTIMENT_VISITED = 0.5, -0.5, 0.25
"""Sentiment of a past item without a rating (a rating ``r`` gives ``(r - 3) / 2``)."""

_KINDS = ("hotel", "attraction", "restaurant", "flight", "ground")
_PLACES = frozenset(_KINDS[:3])
_RELATIVE_CLIP = 2.0


class Contribution(NamedTuple):
    """One reason for a score: where it comes from and how much it moved the logit."""

    source: str
    weight: float


class _Evidence(NamedTuple):
    """A past item or a stated like/dislike, ready to be compared with options."""

    label: str
    text: str
    kind: str               # "any" for a like/dislike phrase: it applies to every kind
    sentiment: float
    weight: float           # recency
    catalog_id: str | None  # the catalog item it is, if any


def item_text(item: Item) -> str:
    """The text that is embedded for a catalog item: name, category/cuisines/room type, description."""
    if isinstance(item, Hotel):
        parts = [item.name, item.room_type.replace("_", " "), item.description]
    elif isinstance(item, Attraction):
        parts = [item.name, f"{item.category}, {'indoor' if item.indoor else 'outdoor'}",
                 item.description]
    elif isinstance(item, Restaurant):
        parts = [item.name, f"{', '.join(item.cuisines) or 'restaurant'} restaurant", item.description]
    elif isinstance(item, Flight):
        parts = [f"Flight {item.number} from {item.origin} to {item.destination}",
                 f"departs {clock(item.departure_min)} ({_part_of_day(item.departure_min)}), "
                 f"{_duration(journey_minutes(item))}"]
    else:
        parts = [f"{item.mode.capitalize()} from {item.origin} to {item.destination}",
                 _duration(item.duration_min)]
    return ". ".join(p.strip().rstrip(".") for p in parts if p.strip()) + "."


def needed_texts(history: UserHistory, catalog: Catalog | None = None) -> list[str]:
    """Every text a model fitted on ``history`` embeds to score the items of ``catalog``:
    the history's own (past items, likes, dislikes) and each catalog item's
    :func:`item_text`, without repeats. Embedding them ahead (``EmbeddingCache.embed``)
    means that fitting and scoring encode nothing more."""
    index = catalog.index() if catalog is not None else {}
    texts = [item_text(index[h.id]) if h.id in index else (h.description or "") for h in history.items]
    texts += [*history.likes, *history.dislikes]
    if catalog is not None:
        texts += [item_text(item) for item in catalog.items()]
    return [t for t in dict.fromkeys(texts) if t]


def _part_of_day(minute: int) -> str:
    hour = (minute % 1440) / 60
    for limit, name in ((8, "early morning"), (12, "morning"), (17, "afternoon"), (21, "evening")):
        if hour < limit:
            return name
    return "night"


def _duration(total_min: int) -> str:
    hours, mins = divmod(int(total_min), 60)
    return f"{hours} h {mins:02d} min" if hours else f"{mins} min"


def _label(item: Item) -> str:
    return item.name if isinstance(item, (Hotel, Attraction, Restaurant)) else item.id


def _logit(p: np.ndarray) -> np.ndarray:
    return np.log(p) - np.log1p(-p)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))


class PreferenceModel:
    """Scores catalog items for one traveller, learned from their :class:`UserHistory`.

    Settings (scikit-learn style; learned state ends with ``_`` and exists after ``fit``):

    - ``model_path``: a local SentenceTransformer directory (default: bundled MiniLM);
    - ``cache_dir``: the embedding cache root (default: the user cache dir);
    - ``half_life_days``: a past item's weight halves every that many days before the
      most recent one (or before ``reference_date``);
    - ``temperature``: of the similarity kernel ``exp((cos - 1) / temperature)``;
    - ``shrinkage_cosine``: the neutral pseudo-evidence weighs as much as one source at
      this cosine similarity;
    - ``cross_kind_weight``: how much a past item counts for another kind of the same
      group (hotel/attraction/restaurant, or flight/ground); other groups count 0;
    - ``l2``: strength of the pull of the fitted weights towards ``DEFAULT_WEIGHTS``;
    - ``min_examples``: fewest labelled past catalog items (chosen, skipped or rated; at
      least two on each side of neutral) to fit the weights rather than use the defaults.
    """

    def __init__(self, model_path: str | Path | None = None, cache_dir: str | Path | None = None, *,
                 half_life_days: float = 365.0, temperature: float = 0.1,
                 shrinkage_cosine: float = 0.45, cross_kind_weight: float = 0.25,
                 l2: float = 3.0, min_examples: int = 6, reference_date: Date | None = None) -> None:
        self.model_path = model_path
        self.cache_dir = cache_dir
        self.half_life_days = half_life_days
        self.temperature = temperature
        self.shrinkage_cosine = shrinkage_cosine
        self.cross_kind_weight = cross_kind_weight
        self.l2 = l2
        self.min_examples = min_examples
        self.reference_date = reference_date

    # -- fitting -----------------------------------------------------------------------
    def fit(self, history: UserHistory, catalog: Catalog | None = None) -> "PreferenceModel":
        """Learn from a history; ``catalog`` resolves item ids and gives the kinds' medians.

        Raises ``ValueError`` for a past item whose id is not in the catalog (or that
        needs a catalog) and has no description, or whose kind does not match the item.
        """
        self.history_ = history
        self.empty_ = history.is_empty
        self.weights_ = dict(DEFAULT_WEIGHTS)
        self.weights_fitted_ = False
        self.n_examples_ = 0
        if self.empty_:
            return self
        self.cache_ = EmbeddingCache(Encoder(self.model_path), self.cache_dir)
        index = catalog.index() if catalog is not None else {}
        self.medians_ = _medians(catalog.items() if catalog is not None else [])
        self.evidence_ = self._history_evidence(history, index)
        self.phrases_ = ([_phrase(t, +1.0) for t in history.likes]
                         + [_phrase(t, -1.0) for t in history.dislikes])
        self.evidence_emb_ = self.cache_.embed([e.text for e in self.evidence_])
        self.phrase_emb_ = self.cache_.embed([e.text for e in self.phrases_])
        self._fit_weights(history, index)
        return self

    def _history_evidence(self, history: UserHistory, index: dict[str, Item]) -> list[_Evidence]:
        reference = self.reference_date or max(
            (h.date for h in history.items if h.date is not None), default=None)
        return [self._item_evidence(i, h, index, reference) for i, h in enumerate(history.items)]

    def _item_evidence(self, i: int, h: HistoryItem, index: dict[str, Item],
                       reference: Date | None) -> _Evidence:
        item = index.get(h.id) if h.id is not None else None
        if item is None and h.description is None:
            need = "is not in the catalog" if index else "needs a catalog (pass catalog=) to be resolved"
            raise ValueError(f"history item {i}: id {h.id!r} {need}, and it has no description")
        if item is not None and kind_of(item) != h.kind:
            raise ValueError(f"history item {i}: id {h.id!r} is a {kind_of(item)}, not a {h.kind}")
        text = item_text(item) if item is not None else h.description or ""
        name = _label(item) if item is not None else _shorten(h.description or "")
        age = (reference - h.date).days if reference is not None and h.date is not None else 0
        return _Evidence(label=_history_label(h, name), text=text, kind=h.kind,
                         sentiment=_sentiment(h), weight=0.5 ** (max(age, 0) / self.half_life_days),
                         catalog_id=item.id if item is not None else None)

    def _fit_weights(self, history: UserHistory, index: dict[str, Item]) -> None:
        rows = _training_rows(history, index)
        self.n_examples_ = len(rows)
        labels = np.array([y for _, y, _ in rows])
        if len(rows) < self.min_examples or min((labels > 0.5).sum(), (labels < 0.5).sum()) < 2:
            return
        items = [item for item, _, _ in rows]
        # leave one out: an option's own history entries must not explain its label
        leave_out = np.array([[e.catalog_id == item.id for e in self.evidence_] for item in items])
        x = self._feature_matrix(items, leave_out.reshape(len(items), len(self.evidence_)))
        tasks = np.array([t for _, _, t in rows])
        beta = _fit_logistic(x, labels, tasks, np.array([DEFAULT_WEIGHTS[f] for f in FEATURES]), self.l2)
        self.weights_ = dict(zip(FEATURES, beta.tolist()))
        self.weights_fitted_ = True

    # -- scoring -----------------------------------------------------------------------
    def score(self, options: Sequence[Item]) -> np.ndarray:
        """Scores in [0, 1], one per option; ``prior_scores(options)`` for an empty history."""
        self._check_fitted()
        if self.empty_ or not options:
            return prior_scores(options)
        return _sigmoid(self._contributions(options).sum(axis=1))

    def explain(self, option: Item) -> list[Contribution]:
        """Why ``option`` scores what it does, largest effect first.

        ``score([option])[0] == sigmoid(sum(c.weight for c in explain(option)))`` up to
        rounding; a positive weight raised the score, a negative one lowered it.
        """
        self._check_fitted()
        if self.empty_:
            p = float(np.clip(prior_scores([option])[0], 1e-12, 1 - 1e-12))
            return [Contribution(f"prior {p:.2f}", float(_logit(np.array(p))))]
        row = self._contributions([option])[0]
        sources = [*self._numeric_labels(option), *(e.label for e in self.evidence_),
                   *(e.label for e in self.phrases_)]
        found = [Contribution(s, float(w)) for s, w in zip(sources, row) if w != 0.0]
        return sorted(found, key=lambda c: (-abs(c.weight), c.source))

    def _check_fitted(self) -> None:
        if not hasattr(self, "weights_"):
            raise RuntimeError("PreferenceModel is not fitted: call fit(history, catalog) first")

    def _contributions(self, options: Sequence[Item]) -> np.ndarray:
        """``(n, 4 + past items + phrases)``: each source's signed share of each option's logit."""
        numeric, hist, phr = self._terms(options)
        w = self.weights_
        numeric_w = np.array([w["prior"], w["price"], w["duration"], w["departure"]])
        return np.hstack([numeric * numeric_w, w["history"] * hist, w["phrases"] * phr])

    def _feature_matrix(self, options: Sequence[Item], leave_out: np.ndarray | None = None) -> np.ndarray:
        """``(n, len(FEATURES))``: the regression's inputs."""
        numeric, hist, phr = self._terms(options, leave_out)
        return np.column_stack([numeric[:, 0], hist.sum(axis=1), phr.sum(axis=1), numeric[:, 1:]])

    def _terms(self, options: Sequence[Item], leave_out: np.ndarray | None = None
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Numeric features ``(n, 4)`` and per-source kernel-regression terms ``(n, m)``, ``(n, p)``."""
        emb = self.cache_.embed([item_text(o) for o in options])
        factors = np.array([[self._kind_factor(a, b) for b in _KINDS] for a in _KINDS])
        option_kinds = np.array([_KINDS.index(kind_of(o)) for o in options], dtype=int)
        source_kinds = np.array([_KINDS.index(e.kind) for e in self.evidence_], dtype=int)
        reach = factors[option_kinds[:, None], source_kinds[None, :]]
        if leave_out is not None:
            reach = np.where(leave_out, 0.0, reach)
        hist = self._kernel_regression(emb, self.evidence_emb_, self.evidence_, reach)
        phr = self._kernel_regression(emb, self.phrase_emb_, self.phrases_,
                                      np.ones((len(options), len(self.phrases_))))
        return self._numeric(options), hist, phr

    def _kernel_regression(self, emb: np.ndarray, src_emb: np.ndarray,
                           sources: list[_Evidence], reach: np.ndarray) -> np.ndarray:
        """Terms ``a k s / (kappa + sum a k)`` whose row sums are the shrunk kernel regression."""
        if not sources:
            return np.zeros((emb.shape[0], 0))
        cos = _cosines(emb, src_emb, reach > 0)
        a = reach * np.array([e.weight for e in sources])
        ak = a * np.exp((np.clip(cos, -1.0, 1.0) - 1.0) / self.temperature)
        kappa = np.exp((self.shrinkage_cosine - 1.0) / self.temperature)
        return ak * np.array([e.sentiment for e in sources]) / (kappa + ak.sum(axis=1, keepdims=True))

    def _kind_factor(self, option_kind: str, source_kind: str) -> float:
        if source_kind == option_kind:
            return 1.0
        return self.cross_kind_weight if (option_kind in _PLACES) == (source_kind in _PLACES) else 0.0

    def _numeric(self, options: Sequence[Item]) -> np.ndarray:
        """``(n, 4)``: logit of the squeezed prior, log price and duration vs the median, departure."""
        prior = PRIOR_SQUEEZE + (1 - 2 * PRIOR_SQUEEZE) * prior_scores(options)
        rows = [[self._relative(o, "price", _price(o)), self._relative(o, "duration", _minutes(o)),
                 _departure(o)] for o in options]
        return np.column_stack([_logit(prior), np.array(rows, dtype=float).reshape(len(options), 3)])

    def _relative(self, option: Item, what: str, value: float | None) -> float:
        median = self.medians_.get((kind_of(option), what))
        if value is None or median is None:
            return 0.0
        return min(max(math.log((value + 1.0) / (median + 1.0)), -_RELATIVE_CLIP), _RELATIVE_CLIP)

    def _numeric_labels(self, option: Item) -> list[str]:
        kind = kind_of(option)
        prior = prior_scores([option])[0]
        labels = [f"prior {prior:.2f}"]
        for what, value in (("price", _price(option)), ("duration", _minutes(option))):
            median = self.medians_.get((kind, what))
            ratio = "" if value is None or median is None else f" ({value:g} vs median {median:g})"
            labels.append(f"{what}{ratio}")
        dep = f" at {clock(option.departure_min)}" if isinstance(option, Flight) else ""
        return [*labels, f"departure{dep}"]


# -- helpers -----------------------------------------------------------------------------
def _cosines(emb: np.ndarray, src_emb: np.ndarray, needed: np.ndarray) -> np.ndarray:
    """Cosines of options (rows) and sources (columns) where ``needed``; 0 elsewhere.

    Computed with ``einsum``, not BLAS, so each cosine is summed in the same order whatever
    the batch: an option's score does not depend on the options scored with it. Rows with
    the same ``needed`` pattern (options of one kind) are computed as one block.
    """
    cos = np.zeros(needed.shape)
    groups: dict[bytes, list[int]] = {}
    for i, packed in enumerate(np.packbits(needed, axis=1)):
        groups.setdefault(packed.tobytes(), []).append(i)
    for rows in groups.values():
        cols = needed[rows[0]]
        if cols.any():
            cos[np.ix_(rows, cols)] = np.einsum("id,jd->ij", emb[rows].astype(np.float64),
                                                src_emb[cols].astype(np.float64))
    return cos


def _sentiment(h: HistoryItem) -> float:
    if h.rating is not None:
        return (h.rating - 3.0) / 2.0
    if h.chosen is None:
        return SENTIMENT_VISITED
    return SENTIMENT_CHOSEN if h.chosen else SENTIMENT_SKIPPED


def _history_label(h: HistoryItem, name: str) -> str:
    if h.rating is not None:
        what = f"rated {h.rating:g}/5"
    else:
        what = {True: "chose", False: "skipped", None: "visited"}[h.chosen]
    when = f" ({h.date.isoformat()})" if h.date is not None else ""
    return f"{what}: {name}{when}"


def _phrase(text: str, sentiment: float) -> _Evidence:
    label = f"{'likes' if sentiment > 0 else 'dislikes'} {text!r}"
    return _Evidence(label=label, text=text, kind="any", sentiment=sentiment, weight=1.0, catalog_id=None)


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _price(item: Item) -> float | None:
    return item.cost if isinstance(item, GroundLeg) else item.price


def _minutes(item: Item) -> float | None:
    if isinstance(item, (Flight, GroundLeg)):
        return float(journey_minutes(item))
    if isinstance(item, (Attraction, Restaurant)):
        return float(duration(item))
    return None


def _departure(item: Item) -> float:
    """``(hour - 12) / 6`` for a flight (negative: morning); 0 for anything else."""
    return ((item.departure_min / 60.0) - 12.0) / 6.0 if isinstance(item, Flight) else 0.0


def _medians(items: Sequence[Item]) -> dict[tuple[str, str], float]:
    """Median price and duration per kind, the reference of the relative features."""
    values: dict[tuple[str, str], list[float]] = {}
    for item in items:
        for what, value in (("price", _price(item)), ("duration", _minutes(item))):
            if value is not None:
                values.setdefault((kind_of(item), what), []).append(value)
    return {key: float(np.median(v)) for key, v in values.items()}


def _training_rows(history: UserHistory, index: dict[str, Item]) -> list[tuple[Item, float, int]]:
    """``(item, label, task)`` for every past catalog item with a label.

    Task 0: chosen (1) or skipped (0) when it was offered; task 1: its rating ``r`` as the
    soft label ``(r - 1) / 4``. An item with both gives a row for each.
    """
    rows: list[tuple[Item, float, int]] = []
    for h in history.items:
        item = index.get(h.id) if h.id is not None else None
        if item is None:
            continue
        if h.chosen is not None:
            rows.append((item, float(h.chosen), 0))
        if h.rating is not None:
            rows.append((item, (h.rating - 1.0) / 4.0, 1))
    return rows


def _fit_logistic(x: np.ndarray, y: np.ndarray, task: np.ndarray, prior_beta: np.ndarray, l2: float,
                  iterations: int = 100) -> np.ndarray:
    """Damped Newton for ``min logloss(y, sigmoid(b[task] + x @ beta)) + l2/2 |beta - prior_beta|^2``.

    ``y`` may be soft (in [0, 1]). Each task has its own intercept ``b``, fitted with a
    negligible penalty (to keep the problem strictly convex) and not returned: it models
    how often options were chosen, or how generously the traveller rates, which is not a
    property of any option.
    """
    tasks = np.unique(task)
    xa = np.column_stack([(task[:, None] == tasks[None, :]).astype(float), x])
    target = np.concatenate([np.zeros(len(tasks)), prior_beta])
    penalty = np.full(len(target), float(l2))
    penalty[:len(tasks)] = 1e-4

    def loss(theta: np.ndarray) -> float:
        z = xa @ theta
        return float(np.sum(np.logaddexp(0.0, z) - y * z) + 0.5 * np.sum(penalty * (theta - target) ** 2))

    theta, current = target.copy(), loss(target)
    for _ in range(iterations):
        p = _sigmoid(xa @ theta)
        grad = xa.T @ (p - y) + penalty * (theta - target)
        hess = (xa.T * (p * (1.0 - p))) @ xa + np.diag(penalty)
        step, scale = np.linalg.solve(hess, grad), 1.0
        while (new := loss(theta - scale * step)) > current and scale > 1e-8:
            scale /= 2.0
        theta = theta - scale * step
        if current - new < 1e-12:
            break
        current = new
    return theta[len(tasks):]
