"""Benchmark of the preference model on synthetic travellers over the demo catalog.

Usage: ``python benchmarks/preferences.py [--json OUT] [--quick] [--travellers N] [--seed S]``

Each traveller has a hidden taste, defined on catalog attributes and never on text:
affinities for attraction categories, cuisines and room types (two loved and two hated
of each, the rest mild), a price sensitivity, how much the crowd's rating matters to
them, how much they hate early flights, and whether they prefer outdoor sights. From it:

- a history: about a third of the hotels, attractions and restaurants, each rated with
  noise or marked as visited; choice sets (four options of one kind, the one with the
  best noisy utility chosen, the others skipped), flights included; and a few stated
  likes and dislikes (each true taste stated with probability 0.7);
- held-out items: every other hotel, attraction and restaurant, whose relevance is the
  rating the noiseless taste would give (gain ``max(rating - 3, 0)``).

Each method ranks the held-out items of each kind; we report NDCG@10 and hit@10 (the
single best held-out item of the kind is in the top 10), averaged over travellers and
kinds, for the model, the model with its fixed default weights (no regression on the
choices: an ablation), a popularity baseline (the catalog rating, i.e. the prior), a
plain-similarity baseline (cosine to liked minus cosine to disliked texts, same
embeddings) and a random ranking. Also measured: encoding throughput with a cold cache,
the cold start of a fresh process with a warm cache (process start to first score, in
a subprocess), and the time to score the whole catalog once warm.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from neurosym.catalog import Attraction, Catalog, Flight, Hotel, Item, Restaurant, kind_of
from neurosym.demo import load_demo_catalog
from neurosym.preferences import (EmbeddingCache, HistoryItem, PreferenceModel, UserHistory,
                                  item_text)
from neurosym.preferences.encoder import Encoder
from neurosym.prior import prior_scores

KINDS = ("hotel", "attraction", "restaurant")
EVALUATED = (*KINDS, "flight")
K = 10
TODAY = date(2026, 5, 1)
EXPERIENCED = 0.33      # share of each kind's places in a traveller's history
CHOICE_SETS = {"hotel": 3, "attraction": 4, "restaurant": 4, "flight": 4}
CATEGORY_PHRASES = {"museum": "museums", "landmark": "landmarks", "gallery": "art galleries",
                    "park": "parks", "viewpoint": "viewpoints", "tour": "guided tours",
                    "garden": "gardens", "market": "markets", "zoo": "zoos",
                    "aquarium": "aquariums", "beach": "beaches"}
CUISINE_PHRASES = {"Cafe": "cafés", "Bakery": "bakeries", "Fine Dining": "fine dining",
                   "Street Food": "street food", "Pizza": "pizza", "Burgers": "burgers",
                   "Seafood": "seafood", "BBQ": "barbecue"}
Option = Flight | Hotel | Attraction | Restaurant
"""What the synthetic travellers rate, choose and rank (ground legs are not evaluated)."""
ROOM_PHRASES = {"entire_home": "a whole apartment", "private_room": "a private room in a guesthouse",
                "shared_room": "hostel dorms", "hotel_room": "hotels"}


@dataclass(frozen=True)
class Taste:
    """A traveller's hidden taste: the truth the methods try to recover."""

    category: dict[str, float]
    cuisine: dict[str, float]
    room: dict[str, float]
    outdoor: float
    price: float          # > 0: prefers cheaper than the kind's median
    crowd: float          # weight of the catalog rating
    early: float          # dislike of departures before 10:00


def _affinities(rng: np.random.Generator, names: Iterable[str]) -> dict[str, float]:
    """Two loved (+1.5 to +2.5), two hated (-1.5 to -2.5), the others mild (N(0, 0.4))."""
    ordered = sorted(names)
    values = rng.normal(0.0, 0.4, len(ordered))
    order = rng.permutation(len(ordered))
    values[order[:2]] = rng.uniform(1.5, 2.5, 2)
    values[order[2:4]] = -rng.uniform(1.5, 2.5, 2)
    return dict(zip(ordered, values.round(3).tolist()))


def make_taste(rng: np.random.Generator, catalog: Catalog) -> Taste:
    """A random hidden taste over the catalog's categories, cuisines and room types."""
    return Taste(category=_affinities(rng, {a.category for a in catalog.attractions}),
                 cuisine=_affinities(rng, {c for r in catalog.restaurants for c in r.cuisines}),
                 room=_affinities(rng, {h.room_type for h in catalog.hotels}),
                 outdoor=float(rng.normal(0, 0.5)), price=float(rng.uniform(-0.5, 1.5)),
                 crowd=float(rng.uniform(0.0, 1.0)), early=float(rng.uniform(0.0, 2.0)))


def _medians(catalog: Catalog) -> dict[str, float]:
    prices = {"hotel": [h.price for h in catalog.hotels], "attraction": [a.price for a in catalog.attractions],
              "restaurant": [r.price for r in catalog.restaurants], "flight": [f.price for f in catalog.flights]}
    return {kind: float(np.median(p)) for kind, p in prices.items()}


def utility(taste: Taste, item: Option, medians: dict[str, float]) -> float:
    """The traveller's true (noiseless) utility of an item."""
    price = -taste.price * np.log((item.price + 1.0) / (medians[kind_of(item)] + 1.0))
    if isinstance(item, Flight):
        return price - taste.early * max(0.0, 10.0 - item.departure_min / 60.0) / 4.0
    crowd = taste.crowd * (item.rating - 4.0)
    if isinstance(item, Hotel):
        return taste.room[item.room_type] + price + crowd
    if isinstance(item, Attraction):
        return taste.category[item.category] + taste.outdoor * (not item.indoor) + price + crowd
    assert isinstance(item, Restaurant)
    return float(np.mean([taste.cuisine[c] for c in item.cuisines])) + price + crowd


def rating_of(u: float) -> int:
    """Utility to a 1-5 star rating."""
    return int(np.clip(round(3.2 + 1.1 * u), 1, 5))


def stated(rng: np.random.Generator, taste: Taste) -> tuple[list[str], list[str]]:
    """The likes and dislikes a traveller writes down: each true taste with probability 0.7."""
    likes, dislikes = [], []
    for affinity, phrase in ((taste.category, lambda c: CATEGORY_PHRASES.get(c, c)),
                             (taste.cuisine, lambda c: CUISINE_PHRASES.get(c, f"{c} food")),
                             (taste.room, ROOM_PHRASES.__getitem__)):
        ranked = sorted(affinity, key=lambda name: (affinity[name], name))
        likes += [phrase(n) for n in ranked[-2:] if affinity[n] > 1.0 and rng.random() < 0.7]
        dislikes += [phrase(n) for n in ranked[:2] if affinity[n] < -1.0 and rng.random() < 0.7]
    if taste.early > 1.2 and rng.random() < 0.7:
        dislikes.append("early flights")
    if taste.price > 1.0 and rng.random() < 0.7:
        likes.append("cheap places")
    return likes, dislikes


def make_traveller(rng: np.random.Generator, i: int, catalog: Catalog, medians: dict[str, float]
                   ) -> tuple[UserHistory, Taste, dict[str, list[Option]]]:
    """A traveller's history, hidden taste and held-out items (per evaluated kind)."""
    taste = make_taste(rng, catalog)
    places = {"hotel": catalog.hotels, "attraction": catalog.attractions, "restaurant": catalog.restaurants}
    routes = sorted({(f.origin, f.destination) for f in catalog.flights})
    items: list[HistoryItem] = []
    held_out: dict[str, list[Option]] = {}
    for kind, pool in places.items():
        seen = rng.random(len(pool)) < EXPERIENCED
        held_out[kind] = [it for it, s in zip(pool, seen) if not s]
        for it in (it for it, s in zip(pool, seen) if s):
            rating = rating_of(utility(taste, it, medians) + rng.normal(0, 0.5))
            items.append(HistoryItem(id=it.id, kind=kind, rating=rating if rng.random() < 0.7 else None,
                                     date=_past_day(rng)))
    for kind, n_sets in CHOICE_SETS.items():
        for _ in range(n_sets):
            if kind == "flight":
                pool = _route(catalog, routes[rng.integers(len(routes))])
            else:
                hidden = {it.id for it in held_out[kind]}
                pool = [it for it in places[kind] if it.id not in hidden]
            items += _choice(rng, taste, [pool[j] for j in rng.choice(len(pool), 4, replace=False)], medians)
    in_history = {h.id for h in items}
    route = _route(catalog, routes[rng.integers(len(routes))])
    held_out["flight"] = [f for f in route if f.id not in in_history]
    likes, dislikes = stated(rng, taste)
    return UserHistory(name=f"traveller-{i}", likes=likes, dislikes=dislikes, items=items), taste, held_out


def _past_day(rng: np.random.Generator) -> date:
    return TODAY - timedelta(days=int(rng.integers(0, 720)))


def _route(catalog: Catalog, route: tuple[str, str]) -> list[Flight]:
    return [f for f in catalog.flights if (f.origin, f.destination) == route]


def _choice(rng: np.random.Generator, taste: Taste, options: Sequence[Option], medians: dict[str, float]
            ) -> list[HistoryItem]:
    """The option with the best noisy utility is chosen, the others skipped."""
    best = int(np.argmax([utility(taste, o, medians) + rng.gumbel(0, 0.5) for o in options]))
    day = _past_day(rng)
    return [HistoryItem(id=o.id, kind=kind_of(o), chosen=j == best, date=day) for j, o in enumerate(options)]


# -- metrics ---------------------------------------------------------------------------
def ndcg_at_k(scores: np.ndarray, gains: np.ndarray, k: int = K) -> float:
    """NDCG@k of ranking by ``scores`` (ties broken by position) against ``gains``."""
    order = np.argsort(-scores, kind="stable")[:k]
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    dcg = float((gains[order] * discounts[:len(order)]).sum())
    ideal = float((np.sort(gains)[::-1][:k] * discounts[:min(k, len(gains))]).sum())
    return dcg / ideal if ideal > 0 else 0.0


def hit_at_k(scores: np.ndarray, truth: np.ndarray, k: int = K) -> float:
    """Whether the truly best item is in the top k."""
    return float(int(np.argmax(truth)) in np.argsort(-scores, kind="stable")[:k])


# -- methods ---------------------------------------------------------------------------
Ranker = Callable[[Sequence[Item]], np.ndarray]


def similarity_ranker(history: UserHistory, catalog: Catalog, cache: EmbeddingCache) -> Ranker:
    """Plain similarity: mean cosine to liked texts minus mean cosine to disliked texts."""
    index = catalog.index()
    liked = [item_text(index[h.id]) for h in history.items if (h.rating or 0) >= 4 or h.chosen]
    disliked = [item_text(index[h.id]) for h in history.items if (h.rating or 5) <= 2 or h.chosen is False]
    pos = cache.embed(liked + history.likes)
    neg = cache.embed(disliked + history.dislikes)

    def rank(options: Sequence[Item]) -> np.ndarray:
        emb = cache.embed([item_text(o) for o in options])
        return (emb @ pos.T).mean(axis=1) - ((emb @ neg.T).mean(axis=1) if len(neg) else 0.0)

    return rank


def evaluate(catalog: Catalog, n: int, seed: int, cache_dir: Path) -> dict[str, dict[str, object]]:
    """NDCG@10 and hit@10 per method over ``n`` synthetic travellers: the mean over
    travellers and kinds, and (under ``ndcg@10_by_kind``) the mean per kind."""
    rng = np.random.default_rng(seed)
    medians = _medians(catalog)
    cache = EmbeddingCache(Encoder(), cache_dir)
    runs: dict[tuple[str, str, str], list[float]] = {}
    for i in range(n):
        history, taste, held_out = make_traveller(rng, i, catalog, medians)
        model = PreferenceModel(cache_dir=cache_dir).fit(history, catalog)
        fixed = PreferenceModel(cache_dir=cache_dir, min_examples=10**9).fit(history, catalog)
        rankers: dict[str, Ranker] = {
            "model": model.score, "model_fixed_weights": fixed.score, "popularity": prior_scores,
            "similarity": similarity_ranker(history, catalog, cache),
            "random": lambda options: rng.random(len(options))}
        for kind in EVALUATED:
            options = held_out[kind]
            truth = np.array([utility(taste, o, medians) for o in options])
            gains = np.array([max(rating_of(u) - 3, 0) for u in truth], dtype=float)
            for name, ranker in rankers.items():
                scores = ranker(options)
                runs.setdefault(("ndcg@10", name, kind), []).append(ndcg_at_k(scores, gains))
                runs.setdefault(("hit@10", name, kind), []).append(hit_at_k(scores, truth))
    methods = list(rankers)

    def mean(metric: str, name: str, kinds: Sequence[str]) -> float:
        return round(float(np.mean([runs[metric, name, k] for k in kinds])), 4)

    return {"ndcg@10": {m: mean("ndcg@10", m, EVALUATED) for m in methods},
            "hit@10": {m: mean("hit@10", m, EVALUATED) for m in methods},
            "ndcg@10_by_kind": {k: {m: mean("ndcg@10", m, [k]) for m in methods} for k in EVALUATED}}


# -- timings ---------------------------------------------------------------------------
def encode_throughput(catalog: Catalog, cache_dir: Path) -> float:
    """Texts per second encoded into an empty cache (model load excluded); fills ``cache_dir``."""
    texts = sorted({item_text(it) for it in catalog.items()})
    cache = EmbeddingCache(Encoder(), cache_dir)
    cache.embed(texts[:1])               # load the model outside the timing
    start = time.perf_counter()
    cache.embed(texts[1:])
    return round((len(texts) - 1) / (time.perf_counter() - start), 1)


COLD_START = """
from neurosym.demo import load_demo_catalog
from neurosym.preferences import PreferenceModel, UserHistory
catalog = load_demo_catalog()
history = UserHistory.model_validate_json({history!r})
PreferenceModel(cache_dir={cache_dir!r}).fit(history, catalog).score(catalog.items())
"""


def cold_start(history: UserHistory, cache_dir: Path, repeats: int) -> float:
    """Seconds from process start to the first score of the whole catalog (warm disk cache)."""
    code = COLD_START.format(history=history.model_dump_json(), cache_dir=str(cache_dir))
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        times.append(time.perf_counter() - start)
    return round(float(np.median(times)), 3)


def warm_score_ms(model: PreferenceModel, options: Sequence[Item], repeats: int = 5) -> float:
    """Milliseconds to score ``options`` once everything is cached (median of repeats)."""
    model.score(options)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        model.score(options)
        times.append(time.perf_counter() - start)
    return round(1000 * float(np.median(times)), 2)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", type=Path, help="write the results to this file")
    parser.add_argument("--quick", action="store_true", help="few travellers, for CI")
    parser.add_argument("--travellers", type=int, help="number of synthetic travellers")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    n = args.travellers or (12 if args.quick else 200)
    catalog = load_demo_catalog()
    with tempfile.TemporaryDirectory() as tmp:
        cache_dir = Path(tmp)
        per_s = encode_throughput(catalog, cache_dir)
        quality = evaluate(catalog, n, args.seed, cache_dir)
        history, _, _ = make_traveller(np.random.default_rng(args.seed), 0, catalog, _medians(catalog))
        model = PreferenceModel(cache_dir=cache_dir).fit(history, catalog)
        result = {**quality, "travellers": n, "encode_items_per_s": per_s,
                  "cold_start_s": cold_start(history, cache_dir, 1 if args.quick else 3),
                  "warm_score_ms": warm_score_ms(model, catalog.items()),
                  "warm_score_items": len(catalog.items())}
    text = json.dumps(result, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
