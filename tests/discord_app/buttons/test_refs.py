"""Passage references in custom ids: short, exact, and stale after the passage changes."""

from __future__ import annotations

import pytest

from bot.discord_app.buttons._refs import PassageRef, doc_key, resolve
from bot.engine import Engine

from ...conftest import CONFIG


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.load(CONFIG)


def test_every_passage_round_trips_to_itself(engine: Engine) -> None:
    for position, passage in enumerate(engine.index.passages):
        encoded = PassageRef.of(passage).encode()
        assert len(encoded) <= 24
        assert resolve(engine, PassageRef.decode(encoded)) == position


def test_a_changed_or_removed_passage_does_not_resolve(make_corpus) -> None:
    before = Engine.load(make_corpus({"a.md": "First paragraph.\n\nSecond paragraph."}))
    ref = PassageRef.of(before.index.passages[1])
    changed = Engine.load(make_corpus({"a.md": "First paragraph.\n\nSecond paragraph, revised."}))
    assert resolve(changed, ref) is None
    removed = Engine.load(make_corpus({"a.md": "First paragraph."}))
    assert resolve(removed, ref) is None
    same = Engine.load(make_corpus({"a.md": "First paragraph.\n\nSecond paragraph.", "b.md": "New."}))
    assert same.index.passages[resolve(same, ref)].text == "Second paragraph."


@pytest.mark.parametrize("text", ["", "abc", "abcde1.1.1.abcd", "abcdef.1.1", "abcdef.x.1.abcd", "ABCDEF.1.1.abcd"])
def test_malformed_references_are_refused(text: str) -> None:
    assert PassageRef.decode(text) is None


def test_document_keys_are_short_and_distinct() -> None:
    keys = {doc_key(f"folder/document-{i}") for i in range(2000)}
    assert len(keys) == 2000 and all(len(k) == 6 for k in keys)
