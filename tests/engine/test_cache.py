"""The index cache: used when it matches, never stale, rebuilt silently when damaged."""

from __future__ import annotations

import logging
import zipfile
from pathlib import Path

import numpy as np
import pytest

from bot.config import load_config
from bot.engine import Engine, cache, index

STORY = {
    "a.md": "# Alpha\n\n"
    + "\n\n".join(
        [
            "Huawei built the 5G network in Ottawa.",
            "Meng Wanzhou was arrested in Vancouver in December.",
            "Canada weighed a ban on the equipment for months.",
            "The United States asked allies to exclude the company.",
            "Trade talks with China stalled after the arrest.",
        ]
    ),
    "b.md": "# Beta\n\n" + "\n\n".join(["Farmers lost canola sales to China.", "Two Canadians were detained in China."]),
}


@pytest.fixture(autouse=True)
def small_threshold(monkeypatch: pytest.MonkeyPatch) -> None:
    # Use postings (and so the cache) for these tiny corpora too.
    monkeypatch.setattr(index, "SMALL", 2)


def answers(engine: Engine) -> list[tuple[int, float] | None]:
    questions = ["Where was Meng arrested?", "Who built the 5G network?", "canola", "detained Canadians"]
    result = []
    for q in questions:
        a = engine.ask(q)
        result.append((a.matches[0].position, a.matches[0].score) if a.matches else None)
    return result


def cache_files(config_path: Path) -> list[Path]:
    return sorted((config_path.parent / ".cache").glob("index-*.npz"))


def test_second_start_loads_the_cache_and_answers_the_same(make_corpus) -> None:
    config_path = make_corpus(STORY)
    first = Engine.load(config_path)
    assert not first.index.from_cache and len(cache_files(config_path)) == 1
    second = Engine.load(config_path)
    assert second.index.from_cache
    assert answers(second) == answers(first)
    assert second.index.scorer.doc_freq == first.index.scorer.doc_freq
    # Written atomically: no temporary file left behind.
    assert not list((config_path.parent / ".cache").glob("*.tmp"))


def test_changed_corpus_is_never_served_from_an_old_cache(make_corpus) -> None:
    config_path = make_corpus(STORY)
    Engine.load(config_path)
    (config_path.parent / "corpus" / "b.md").write_text("# Beta\n\nSoybean prices fell.\n\nTwo Canadians were detained.\n")
    engine = Engine.load(config_path)
    assert not engine.index.from_cache
    best = engine.ask("soybean prices").best
    assert best is not None and "Soybean" in best.passage.text
    assert engine.ask("canola sales").abstained


def test_analysis_and_passage_settings_change_the_key_ranking_settings_do_not(make_corpus) -> None:
    config_path = make_corpus(STORY)
    Engine.load(config_path)
    config_path.write_text("corpus:\n  path: corpus\nanalysis:\n  stemming: false\n")
    assert not Engine.load(config_path).index.from_cache
    config_path.write_text("corpus:\n  path: corpus\nanalysis:\n  stemming: false\npassages:\n  max_chars: 200\n")
    assert not Engine.load(config_path).index.from_cache
    # k1/b/variant are applied on load: the cache is reused and scores follow the new settings.
    config_path.write_text(
        "corpus:\n  path: corpus\nanalysis:\n  stemming: false\npassages:\n  max_chars: 200\n"
        "ranking:\n  variant: okapi\n  k1: 1.7\n"
    )
    cached = Engine.load(config_path)
    fresh = Engine(cached.config, index.build_index(cached.config, use_cache=False))
    assert cached.index.from_cache and not fresh.index.from_cache
    assert answers(cached) == answers(fresh)


def corrupt_truncated(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def corrupt_garbage(path: Path) -> None:
    path.write_bytes(b"not a zip file at all")


def corrupt_out_of_range(path: Path) -> None:
    with np.load(path) as data:
        arrays = {name: data[name] for name in data.files}
    arrays["doc_ids"] = arrays["doc_ids"] + 1000
    np.savez(path, **arrays)


def corrupt_pickled_object(path: Path) -> None:
    # An object array would need pickle to load; the cache refuses it rather than running it.
    with np.load(path) as data:
        arrays = {name: data[name] for name in data.files}
    arrays["tf"] = np.array([object()] * len(arrays["tf"]), dtype=object)
    with open(path, "wb") as out:
        np.savez(out, **arrays)


@pytest.mark.parametrize("damage", [corrupt_truncated, corrupt_garbage, corrupt_out_of_range, corrupt_pickled_object])
def test_damaged_cache_is_rebuilt_silently(make_corpus, damage, caplog: pytest.LogCaptureFixture) -> None:
    config_path = make_corpus(STORY)
    expected = answers(Engine.load(config_path))
    (path,) = cache_files(config_path)
    damage(path)
    with caplog.at_level(logging.INFO, logger="bot.engine.cache"):
        engine = Engine.load(config_path)
    assert not engine.index.from_cache
    assert answers(engine) == expected
    assert "rebuilding" in caplog.text
    # The damaged file was replaced by a good one.
    assert Engine.load(config_path).index.from_cache
    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None


def test_unwritable_cache_dir_still_serves(make_corpus, caplog: pytest.LogCaptureFixture) -> None:
    config_path = make_corpus(STORY)
    (config_path.parent / "blocker").write_text("a file where the cache folder should be")
    config_path.write_text("corpus:\n  path: corpus\ncache_dir: blocker/cache\n")
    with caplog.at_level(logging.WARNING):
        engine = Engine.load(config_path)
    assert engine.ask("Where was Meng arrested?").best is not None
    assert "could not write the index cache" in caplog.text


def test_old_cache_files_are_cleaned_up(make_corpus) -> None:
    config_path = make_corpus(STORY)
    for n in range(cache.KEEP + 2):
        (config_path.parent / "corpus" / "c.md").write_text(f"# Gamma\n\nVersion {n} of a changing file.\n")
        Engine.load(config_path)
    assert len(cache_files(config_path)) == cache.KEEP


def test_cache_key_covers_its_inputs() -> None:
    config = load_config(None)
    key = cache.cache_key("abc", ("v2", True), config.passages)
    assert key == cache.cache_key("abc", ("v2", True), config.passages)
    assert key != cache.cache_key("abd", ("v2", True), config.passages)
    assert key != cache.cache_key("abc", ("v2", False), config.passages)


def test_check_says_when_the_cache_was_used(make_corpus, capsys: pytest.CaptureFixture[str]) -> None:
    from bot.cli import main

    config_path = make_corpus(STORY)
    assert main(["check", "--config", str(config_path)]) == 0
    assert "index cache" not in capsys.readouterr().out
    assert main(["check", "--config", str(config_path)]) == 0
    assert "(postings from the index cache)" in capsys.readouterr().out


def test_a_new_snowball_or_unicode_version_never_reuses_old_postings(make_corpus, monkeypatch: pytest.MonkeyPatch) -> None:
    """A new stemmer release or Unicode table can change a passage's terms: the key includes them."""
    import importlib.metadata
    import unicodedata

    config_path = make_corpus(STORY)
    Engine.load(config_path)
    assert Engine.load(config_path).index.from_cache
    real = importlib.metadata.version
    monkeypatch.setattr(importlib.metadata, "version", lambda name: "99.0" if name == "snowballstemmer" else real(name))
    assert cache.analysis_versions()["snowballstemmer"] == "99.0"
    assert not Engine.load(config_path).index.from_cache
    assert Engine.load(config_path).index.from_cache
    # The C stemmer snowballstemmer runs when PyStemmer is installed (a dependency) counts too.
    monkeypatch.setattr(importlib.metadata, "version", lambda name: "99.0" if name in ("snowballstemmer", "pystemmer") else real(name))
    assert cache.analysis_versions()["pystemmer"] == "99.0"
    assert not Engine.load(config_path).index.from_cache
    assert Engine.load(config_path).index.from_cache
    monkeypatch.setattr(unicodedata, "unidata_version", "99.0.0")
    assert not Engine.load(config_path).index.from_cache
