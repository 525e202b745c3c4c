"""Passage references in custom ids: short, exact, and stale after the passage changes."""

from __future__ import annotations

import pytest

from bot.discord_app.passage_refs import PassageRef, doc_key, resolve
from bot.discord_app.views import CUSTOM_ID, WhyThis, fitting_refs, next_custom_id
from bot.engine import Engine

from ..conftest import CONFIG


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


def test_why_custom_id_carries_the_reference_and_no_terms() -> None:
    """Terms are question text (issue 11): the id names the passage only. Ids made before,
    with terms, are still recognised."""
    assert WhyThis("abcdef.12.1.abcd").item.custom_id == "sb:w:abcdef.12.1.abcd"
    assert WhyThis("-c").item.custom_id == "sb:w:-c"
    template = WhyThis.__discord_ui_compiled_template__
    old = template.fullmatch("sb:w:abcdef.12.1.abcd:meng arrest +")
    assert old is not None and old["terms"] == "meng arrest +"


def test_next_match_keeps_the_references_that_fit() -> None:
    refs = [f"abcdef.{i}.1.abcd" for i in range(1, 26)]
    kept = fitting_refs("0123456789", refs)
    assert kept == refs[: len(kept)] and len(kept) >= 3
    assert len(next_custom_id("0123456789", 99, kept, "89abcdef")) <= CUSTOM_ID
