"""Buttons under a shared answer: who may change the shared message, what the custom ids
and a failing button's log line reveal about the question, and which answer id they carry."""

from __future__ import annotations

import itertools
import logging
import re

import bot.insights as insights

from ..conftest import World

MENG = "When was Meng Wanzhou arrested?"
PERU = "What is the capital of Peru?"
MENG_TERMS = ("meng", "wanzhou", "arrest")


def custom_ids(message) -> list[str]:
    """Every button's custom id, from a SimCord response or a discord.py Message."""
    out = []
    for row in message.components:
        for c in row["components"] if isinstance(row, dict) else row.children:
            out.append(c["custom_id"] if isinstance(c, dict) else c.custom_id)
    return out


def custom_id(message, label: str) -> str:
    for row in message.components:
        for c in row["components"] if isinstance(row, dict) else row.children:
            if (c["label"] if isinstance(c, dict) else c.label) == label:
                return c["custom_id"] if isinstance(c, dict) else c.custom_id
    raise AssertionError(f"no {label!r} button")


def shown_in_channel(world: World, message_id: int):
    """The shared message as every member sees it now."""
    return next(m for m in world.channel.history(viewer=world.bob) if m.id == message_id)


def footer(message) -> str:
    return message.embeds[0].footer.text


# --- Next match: the asker pages, anyone else gets their own copy (issue 11, item 12) ---------


async def test_next_match_on_someone_elses_public_answer_answers_them_privately(make_world):
    world = await make_world()
    asked = await world.alice.slash(world.channel, "ask", question=MENG)
    shared = asked.response
    original = shared.embeds[0].to_dict()

    paged = await world.bob.click(shared, label="Next match")
    assert paged.ephemeral and paged.response.ephemeral and paged.response.id != shared.id
    assert "match 2 of" in footer(paged.response)
    assert paged.response.embeds[0].fields[0].value == MENG  # the question it answers
    assert shown_in_channel(world, shared.id).embeds[0].to_dict() == original  # alice's answer untouched

    bobs_page = footer(paged.response)
    again = await world.bob.click(paged.response, label="Next match")  # bob pages his own copy in place
    assert again.response.id == paged.response.id and footer(again.response) != bobs_page
    assert shown_in_channel(world, shared.id).embeds[0].to_dict() == original

    own = await world.alice.click(shared, label="Next match")  # the asker pages the shared message
    assert own.response.id == shared.id and "match 2 of" in footer(own.response)
    assert "match 2 of" in footer(shown_in_channel(world, shared.id))


async def test_next_match_on_a_mention_answer_is_the_askers_to_page(make_world):
    world = await make_world()
    await world.alice.send(world.channel, f"{world.bot.user.mention} {MENG}")
    shared = world.channel.last_message
    original = shared.embeds[0].to_dict()

    paged = await world.bob.click(shared, label="Next match")
    assert paged.ephemeral and "match 2 of" in footer(paged.response)
    assert shown_in_channel(world, shared.id).embeds[0].to_dict() == original

    own = await world.alice.click(shared, label="Next match")
    assert own.response.id == shared.id and "match 2 of" in footer(shown_in_channel(world, shared.id))


# --- what the ids and the log lines say about the question (item 13) ---------------------------


async def test_button_ids_carry_none_of_the_questions_terms(make_world):
    """Question text is not kept unless the operator turns logging on; a question's terms
    are its text, so no custom id (stored by Discord on the message) carries them. "Why
    this?" still explains with the question's terms, read from the answer it is under."""
    world = await make_world()
    asked = await world.alice.slash(world.channel, "ask", question=MENG)
    await world.alice.send(world.channel, f"{world.bot.user.mention} {MENG}")
    mentioned = world.channel.last_message
    await world.alice.user.send_dm(MENG)
    direct = world.alice.user.dm_channel.last_message
    declined = await world.alice.slash(world.channel, "ask", question=PERU)

    for message, clicker in ((asked.response, world.bob), (mentioned, world.bob), (direct, world.alice.user)):
        why = await clicker.click(message, label="Why this?")
        text = why.response.embeds[0].description
        weights = {term: float(w) for term, w in re.findall(r"`(\w+)` weight ([\d.]+)", text)}
        assert set(weights) == set(MENG_TERMS) and weights["wanzhou"] > weights["meng"]
        assert all(f"✅ `{t}`" in text for t in MENG_TERMS)

    paged = await world.alice.click(asked.response, label="Next match")
    for message in (asked.response, mentioned, direct, declined.response, paged.response):
        ids = " ".join(custom_ids(message)).lower()
        assert ids and not any(term in ids for term in MENG_TERMS + ("peru", "capit"))
    why = await world.bob.click(paged.response, label="Why this?")
    assert "❌ `wanzhou`" in why.response.embeds[0].description  # ¶7 lacks it, as before
    why = await world.bob.click(declined.response, label="Why this?")
    assert "`peru`" in why.response.embeds[0].description.split("never uses:")[1]


async def test_a_failing_button_is_logged_without_its_custom_id_or_the_question(make_world, monkeypatch, caplog):
    world = await make_world()
    asked = await world.alice.slash(world.channel, "ask", question=MENG)
    index = world.bot.holder.engine.index

    def broken(*args, **kwargs):
        raise RuntimeError("a bug in the handler")

    monkeypatch.setattr(index, "previous", broken)  # Context fails
    monkeypatch.setattr(index.analyzer, "tokens", broken)  # Why this? fails
    with caplog.at_level(logging.INFO, logger="bot"):
        for label in ("Context", "Why this?"):
            clicked = await world.bob.click(asked.response, label=label)
            assert clicked.ephemeral and "something went wrong" in clicked.response.content
    failures = [r for r in caplog.records if "failed" in r.getMessage() and r.name.startswith("bot")]
    assert len(failures) == 2
    logged = caplog.text.lower()
    assert "sb:" not in logged and not any(term in logged for term in MENG_TERMS)
    for cid in custom_ids(asked.response):
        assert cid.lower() not in logged


async def test_answer_ids_come_from_the_insights_package(make_world, monkeypatch):
    """One place makes answer ids (bot.insights.new_answer_id), whatever their form: the
    buttons carry them and feedback is filed under them."""
    made = (f"Q{n:05d}_longer-id-xyz" for n in itertools.count())  # 22 characters, not 10 hex digits
    monkeypatch.setattr(insights, "new_answer_id", lambda: next(made))
    world = await make_world()
    asked = await world.alice.slash(world.channel, "ask", question=MENG)
    assert "Q00000_longer-id-xyz" in custom_id(asked.response, "Helpful")
    assert all(len(cid) <= 100 for cid in custom_ids(asked.response))
    paged = await world.alice.click(asked.response, label="Next match")
    assert "match 2 of" in footer(paged.response)
    await world.bob.click(paged.response, label="Helpful")
    recorder = world.insights.recorder
    assert recorder.flush(timeout=10)
    assert recorder.store.query("SELECT answer_id FROM questions") == [("Q00000_longer-id-xyz",)]
    assert recorder.store.query("SELECT answer_id, match_rank FROM feedback") == [("Q00000_longer-id-xyz", 1)]
