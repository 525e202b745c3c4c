"""Autocomplete: names and phrases the story contains, completing what was typed, within the caller's limits."""

from __future__ import annotations

import pytest

from bot.engine import Engine
from bot.engine.documents import parse_document
from bot.engine.suggestions import Suggester, extract_phrases, suggester_for

# The limits the Discord layer passes (Discord's autocomplete limits); the engine takes them as arguments.
MAX_CHOICES, MAX_CHARS = 25, 100


def built(engine: Engine) -> Suggester:
    return suggester_for(engine, engine.config.discord.example_questions, MAX_CHARS)


@pytest.fixture(scope="module")
def story(engine: Engine) -> Suggester:
    return built(engine)


def test_people_and_places_of_the_story_are_found(story: Suggester) -> None:
    texts = {p.text for p in story.phrases}
    for name in ["Meng Wanzhou", "Justin Trudeau", "Michael Kovrig", "Patrick Leblond", "University of Ottawa", "Huawei"]:
        assert name in texts
    # Sentence-initial ordinary words and titles on their own are not names.
    for not_a_name in ["The", "Trade", "Such", "Digital", "Prime", "For", "In"]:
        assert not_a_name not in texts


def test_recurring_content_phrases_are_found(story: Suggester) -> None:
    phrases = {p.text for p in story.phrases if p.kind == "phrase"}
    assert {"trade deal", "national security"} <= phrases
    assert all(" the " not in f" {p} " for p in phrases)  # no stop-word phrases


def test_nothing_typed_offers_the_example_questions_first(engine: Engine, story: Suggester) -> None:
    got = story.suggest("", MAX_CHOICES, MAX_CHARS)
    examples = list(engine.config.discord.example_questions)
    assert got[: len(examples)] == examples
    assert len(got) <= MAX_CHOICES


def test_completes_the_word_being_typed_and_keeps_the_start_of_the_question(story: Suggester) -> None:
    assert "who is Justin Trudeau" in story.suggest("who is jus", MAX_CHOICES, MAX_CHARS)
    got = story.suggest("When was me", MAX_CHOICES, MAX_CHARS)
    assert got[0] == "When was Meng Wanzhou arrested?"  # the matching example question first
    assert "When was Meng Wanzhou" in got


def test_prefix_matches_rank_before_matches_inside_a_phrase(story: Suggester) -> None:
    got = story.suggest("mich", MAX_CHOICES, MAX_CHARS)
    assert got[:2] == ["Michael Kovrig", "Michael Spavor"] or got[:2] == ["Michael Spavor", "Michael Kovrig"]
    inside = story.suggest("trudeau", MAX_CHOICES, MAX_CHARS)
    assert "Justin Trudeau" in inside  # found by a later word


def test_matching_ignores_case_and_accents(story: Suggester) -> None:
    assert story.suggest("HUA", MAX_CHOICES, MAX_CHARS)[0] == "Huawei"
    assert "Huawei" in story.suggest("hùa", MAX_CHOICES, MAX_CHARS)


def test_nothing_relevant_gives_no_suggestions(story: Suggester) -> None:
    assert story.suggest("zzqx", MAX_CHOICES, MAX_CHARS) == []


def test_every_suggestion_fits_discord_limits() -> None:
    long_name = " ".join(f"Word{i}" for i in range(40))  # a 'name' far over 100 characters
    body = "\n\n".join(
        [f"Yesterday {long_name} said hello to Ada Lovelace."]
        + [f"Then Person{i} Surname{i} met Ada Lovelace again." for i in range(60)]
    )
    suggester = Suggester.from_documents([parse_document(body, "d")], ["x" * 150, "Who is Ada Lovelace?"], MAX_CHARS)
    for typed in ["", "p", "Person", "a" * 95 + " ada", "who"]:
        got = suggester.suggest(typed, MAX_CHOICES, MAX_CHARS)
        assert len(got) <= MAX_CHOICES
        assert all(0 < len(s) <= MAX_CHARS for s in got), got
    assert "x" * 150 not in suggester.suggest("", MAX_CHOICES, MAX_CHARS)
    assert len(suggester.suggest("person", MAX_CHOICES, MAX_CHARS)) == MAX_CHOICES


def test_suggestions_are_rebuilt_for_a_new_index(make_corpus) -> None:
    first = Engine.load(make_corpus({"a.md": "Ada Lovelace wrote the first program.\n\nAda Lovelace met Babbage."}))
    assert "Ada Lovelace" in built(first).suggest("ada", MAX_CHOICES, MAX_CHARS)
    assert built(first) is built(first)  # built once per index
    second = Engine.load(make_corpus({"a.md": "Grace Hopper wrote a compiler.\n\nGrace Hopper found a bug."}))
    assert "Grace Hopper" in built(second).suggest("gr", MAX_CHOICES, MAX_CHARS)
    assert built(second).suggest("ada", MAX_CHOICES, MAX_CHARS) == []


def test_extract_phrases_on_a_multi_document_corpus() -> None:
    docs = [
        parse_document("The European Union met in Brussels.\n\nOfficials of the European Union agreed.", "eu"),
        parse_document("Later, the European Union published the climate targets and climate targets.", "eu2"),
    ]
    phrases = extract_phrases(docs, MAX_CHARS)
    top = phrases[0]
    assert (top.text, top.count, top.kind) == ("European Union", 3, "name")
    assert any(p.text == "climate targets" for p in phrases)


def test_suggestions_live_and_die_with_their_index() -> None:
    import gc
    import weakref

    from bot.engine import Engine
    from bot.engine.suggestions import cached_suggester

    from ..conftest import CONFIG

    engine = Engine.load(CONFIG)
    assert cached_suggester(engine) is None
    suggester = built(engine)
    assert cached_suggester(engine) is suggester
    gone = weakref.ref(engine.index)
    del engine, suggester
    gc.collect()
    assert gone() is None  # no module-level cache keeps a replaced index alive
