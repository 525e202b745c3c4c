"""The buttons under an answer, clicked as members click them: Next match, Context,
Why this?, Helpful / Not helpful, also after a restart and after a reload."""

from __future__ import annotations

import re
import threading

from bot import create_bot

from ..conftest import World, plain, story_paragraphs

MENG = "When was Meng Wanzhou arrested?"
PERU = "What is the capital of Peru?"
LABELS = ["Next match", "Context", "Why this?", "Helpful", "Not helpful"]


def buttons(message) -> list[tuple[str, str]]:
    """(label, custom_id) of each button, from a SimCord response or a discord.py Message."""
    out = []
    for row in message.components:
        for c in row["components"] if isinstance(row, dict) else row.children:
            out.append((c["label"], c["custom_id"]) if isinstance(c, dict) else (c.label, c.custom_id))
    return out


def labels(message) -> list[str]:
    return [label for label, _ in buttons(message)]


def custom_id(message, label: str) -> str:
    return next(cid for text, cid in buttons(message) if text == label)


def paragraph_number(embed) -> int:
    return int(re.match(r"¶(\d+)", embed.footer.text).group(1))


def rows(world: World, sql: str) -> list[tuple]:
    recorder = world.insights.recorder
    assert recorder.flush(timeout=10)
    return recorder.store.query(sql)


async def test_an_answer_carries_all_five_buttons(make_world):
    world = await make_world()
    result = await world.alice.slash(world.channel, "ask", question=MENG)
    assert labels(result.response) == LABELS
    assert all(len(c["custom_id"]) <= 100 for row in result.response.components for c in row["components"])


async def test_next_match_pages_through_the_matches_in_the_same_message(make_world):
    world = await make_world()
    paragraphs = [" ".join(p.split()) for p in story_paragraphs()]
    asked = await world.alice.slash(world.channel, "ask", question=MENG)
    message = asked.response
    first = paragraph_number(message.embeds[0])

    seen = [first]
    for _ in range(10):
        clicked = await world.alice.click(message, label="Next match")  # the asker pages her answer
        assert clicked.response.id == message.id  # edited in place, not a new message
        embed = clicked.response.embeds[0]
        number = paragraph_number(embed)
        if number == first:
            break
        seen.append(number)
        position = re.search(r"match (\d+) of (\d+)", embed.footer.text)
        assert position is not None and int(position.group(1)) == len(seen)
        assert " ".join(plain(embed.description).split()) == paragraphs[number - 1]  # verbatim quote
        assert "**" in embed.description  # the question's words are highlighted
        assert embed.fields[0].value == MENG  # the question stays on the message
        message = clicked.response
    assert len(seen) >= 2 and len(set(seen)) == len(seen)  # new passages, then back to the first
    assert int(position.group(2)) == len(seen)
    assert paragraph_number(clicked.response.embeds[0]) == first


async def test_context_shows_the_paragraphs_before_and_after(make_world):
    world = await make_world()
    paragraphs = story_paragraphs()
    asked = await world.alice.slash(world.channel, "ask", question=MENG)
    number = paragraph_number(asked.response.embeds[0])

    shown = await world.bob.click(asked.response, label="Context")
    assert shown.ephemeral and shown.response.ephemeral  # only the clicker sees it
    text = " ".join(plain(shown.response.embeds[0].description).split())
    assert f"¶{number - 1} of 12" in text and f"¶{number + 1} of 12" in text
    assert paragraphs[number - 2][:200] in text
    assert paragraphs[number][:200] in text
    assert asked.response.embeds[0].description == world.channel.last_message.embeds[0].description  # answer unchanged


async def test_context_at_the_start_of_the_story_says_so(make_world):
    world = await make_world()
    asked = await world.alice.slash(world.channel, "ask", question="What executive order may Trump issue?")
    assert paragraph_number(asked.response.embeds[0]) == 1
    shown = await world.alice.click(asked.response, label="Context")
    assert "the document starts here" in shown.response.embeds[0].description


async def test_why_this_lists_terms_weights_and_what_the_passage_matched(make_world):
    world = await make_world()
    asked = await world.alice.slash(world.channel, "ask", question=MENG)
    why = await world.bob.click(asked.response, label="Why this?")
    assert why.ephemeral
    text = why.response.embeds[0].description
    weights = {term: float(w) for term, w in re.findall(r"`(\w+)` weight ([\d.]+)", text)}
    assert set(weights) == {"meng", "wanzhou", "arrest"}  # stems, stop words gone
    # "Wanzhou" is in fewer passages than "Meng" (¶5 only; "Meng's" is also in ¶7), so it weighs more.
    assert weights["wanzhou"] > weights["meng"]
    assert all(f"✅ `{t}`" in text for t in weights)  # ¶5 holds every term
    assert "100%" in text and "BM25" in text

    # The next match (¶7, "Meng's arrest") lacks "Wanzhou", and the explanation says so.
    paged = await world.alice.click(asked.response, label="Next match")
    assert "Wanzhou" not in plain(paged.response.embeds[0].description)
    why = await world.bob.click(paged.response, label="Why this?")
    text = why.response.embeds[0].description
    assert "❌ `wanzhou`" in text and "✅ `meng`" in text and "✅ `arrest`" in text


async def test_an_abstention_explains_itself_and_offers_no_passage_buttons(make_world):
    world = await make_world()
    asked = await world.alice.slash(world.channel, "ask", question=PERU)
    assert labels(asked.response) == ["Why this?", "Helpful", "Not helpful"]
    why = await world.alice.click(asked.response, label="Why this?")
    embed = why.response.embeds[0]
    assert embed.title == "Why no answer?"
    assert "The story never uses:" in embed.description and "`peru`" in embed.description.split("never uses:")[1]


async def test_feedback_is_recorded_per_person_under_the_answer_id(make_world):
    world = await make_world()
    asked = await world.alice.slash(world.channel, "ask", question=MENG)
    answer_id = custom_id(asked.response, "Helpful").split(":")[3]

    thanks = await world.bob.click(asked.response, label="Helpful")
    assert thanks.ephemeral and "helpful" in thanks.response.content
    await world.alice.click(asked.response, label="Not helpful")
    await world.bob.click(asked.response, label="Not helpful")  # bob changes his mind

    assert rows(world, "SELECT answer_id, answered, document_id, first_paragraph, surface FROM questions") == [
        (answer_id, 1, "huawei-5g-canada-china", 5, "slash")
    ]
    votes = rows(world, "SELECT answer_id, helpful, user_hash FROM feedback")
    assert sorted(v[1] for v in votes) == [0, 0] and {v[0] for v in votes} == {answer_id}
    stored = " ".join(v[2] for v in votes)
    assert str(world.bob.id) not in stored and str(world.alice.id) not in stored  # hashed, never raw


async def test_feedback_after_paging_names_the_passage_shown(make_world):
    world = await make_world()
    asked = await world.alice.slash(world.channel, "ask", question=MENG)
    paged = await world.alice.click(asked.response, label="Next match")
    shown = paragraph_number(paged.response.embeds[0])
    await world.alice.click(paged.response, label="Not helpful")
    assert rows(world, "SELECT match_rank, first_paragraph FROM feedback") == [(1, shown)]


async def test_dm_and_mention_answers_have_buttons_too(make_world):
    world = await make_world()
    await world.alice.user.send_dm("who is ritesh kotak?")
    dm_answer = world.alice.user.dm_channel.last_message
    assert "Context" in labels(dm_answer)
    shown = await world.alice.user.click(dm_answer, label="Context")
    assert "¶3 of 12" in shown.response.embeds[0].description

    await world.alice.send(world.channel, f"{world.bot.user.mention} who decides on banning Huawei in Canada?")
    reply = world.channel.last_message
    assert "Why this?" in labels(reply)
    surfaces = rows(world, "SELECT surface FROM questions ORDER BY asked_at")
    assert [s for (s,) in surfaces] == ["dm", "mention"]


async def test_buttons_keep_working_after_the_bot_restarts(make_world):
    world = await make_world()
    asked = await world.alice.slash(world.channel, "ask", question=MENG)
    before = asked.response
    first = paragraph_number(before.embeds[0])
    answer_id = custom_id(before, "Helpful").split(":")[3]
    await world.close_insights()  # what close() does on a real shutdown

    restarted = create_bot(world.config_path)
    await world.env.restart_bot(restarted)
    world.bot = restarted  # rows() reads the new bot's log

    paged = await world.alice.click(before, label="Next match")  # the asker, after the restart too
    assert paged.response.id == before.id and paragraph_number(paged.response.embeds[0]) != first
    assert "match 2 of" in paged.response.embeds[0].footer.text
    context = await world.bob.click(before, label="Context")
    assert f"¶{first + 1} of 12" in context.response.embeds[0].description
    why = await world.bob.click(paged.response, label="Why this?")
    assert "`wanzhou`" in why.response.embeds[0].description
    await world.bob.click(paged.response, label="Helpful")
    assert rows(world, "SELECT answer_id, helpful, match_rank FROM feedback") == [(answer_id, 1, 1)]
    assert rows(world, "SELECT count(*) FROM questions") == [(1,)]  # the question logged before the restart


async def test_buttons_after_a_reload_that_removed_the_passage_give_a_short_notice(make_world):
    world = await make_world()
    asked = await world.alice.slash(world.channel, "ask", question=MENG)
    message = asked.response
    story = next(world.corpus.glob("*.md"))
    story.write_text(story.read_text(encoding="utf-8").replace("Meng Wanzhou on Dec. 1", "Meng Wanzhou on Dec. 2"), encoding="utf-8")
    reloaded = await world.operator.user.slash("reload")
    assert "Documents: 1 → 1" in reloaded.response.content

    for label in ("Context", "Why this?"):
        clicked = await world.bob.click(message, label=label)
        assert clicked.ephemeral
        assert "no longer in the story" in clicked.response.content  # a notice, not an error
        assert not clicked.response.embeds
    # The other matches were not touched by the edit, so paging still works.
    paged = await world.bob.click(message, label="Next match")
    assert paragraph_number(paged.response.embeds[0]) != 5
    # Feedback needs no passage: it is still recorded.
    await world.bob.click(message, label="Helpful")
    assert rows(world, "SELECT helpful FROM feedback") == [(1,)]


async def test_buttons_survive_a_reload_that_keeps_the_passage(make_world):
    world = await make_world()
    asked = await world.alice.slash(world.channel, "ask", question=MENG)
    (world.corpus / "other.md").write_text("# Other\n\nThe Port of Halifax opened a terminal.\n", encoding="utf-8")
    await world.operator.user.slash("reload")
    assert world.bot.holder.engine.documents == 2
    context = await world.bob.click(asked.response, label="Context")
    assert "¶4 of 12" in context.response.embeds[0].description


async def test_feedback_writes_never_hold_up_answers(make_world):
    world = await make_world()
    store = world.insights.recorder.store
    disk = threading.Event()
    real_write = store.write

    def stuck_disk(records):  # the disk hangs until the test releases it
        disk.wait(30)
        return real_write(records)

    store.write = stuck_disk
    try:
        first = await world.alice.slash(world.channel, "ask", question=MENG)
        clicked = await world.bob.click(first.response, label="Helpful")
        second = await world.bob.slash(world.channel, "ask", question="Who is Patrick Leblond?")
        # Everything answered while the log could not write a byte.
        assert "helpful" in clicked.response.content
        assert paragraph_number(second.response.embeds[0]) == 9
        assert store.query("SELECT count(*) FROM questions") == [(0,)]
    finally:
        disk.set()
    assert rows(world, "SELECT count(*) FROM questions") == [(2,)]
    assert rows(world, "SELECT count(*) FROM feedback") == [(1,)]


async def test_with_insights_off_there_are_no_feedback_buttons_and_no_database(make_world, tmp_path):
    world = await make_world({"insights": {"enabled": False}})
    asked = await world.alice.slash(world.channel, "ask", question=MENG)
    assert labels(asked.response) == ["Next match", "Context", "Why this?"]
    why = await world.alice.click(asked.response, label="Why this?")
    assert "`meng`" in why.response.embeds[0].description
    assert not (tmp_path / "data" / "insights.sqlite3").exists()


async def test_next_match_on_a_private_answer_edits_it_privately(make_world):
    world = await make_world({"discord": {"ephemeral": True}})
    asked = await world.alice.slash(world.channel, "ask", question=MENG)
    assert asked.response.ephemeral
    paged = await world.alice.click(asked.response, label="Next match")
    assert paged.response.id == asked.response.id and paged.response.ephemeral
    assert "match 2 of" in paged.response.embeds[0].footer.text


async def test_a_long_question_still_fits_its_buttons(make_world):
    world = await make_world({"answers": {"top": 25}})
    question = (
        "Which countries banned Huawei and ZTE from their next-generation 5G mobile networks because of "
        "spying concerns raised by national security experts in Canada, Australia and New Zealand?"
    )
    asked = await world.alice.slash(world.channel, "ask", question=question)
    ids = [cid for _, cid in buttons(asked.response)]
    assert all(len(cid) <= 100 for cid in ids)
    # The id carries no terms (issue 11), so none is cut for room: every term is explained.
    assert custom_id(asked.response, "Why this?").count(":") == 2
    why = await world.alice.click(asked.response, label="Why this?")
    text = why.response.embeds[0].description
    assert "more terms than a button can carry" not in text
    assert all(f"`{term}`" in text for term in ("countri", "huawei", "zte", "spi", "australia", "zealand"))
    paged = await world.alice.click(asked.response, label="Next match")
    assert "match 2 of" in paged.response.embeds[0].footer.text


async def test_why_no_answer_names_the_rule_that_declined(make_world):
    world = await make_world()
    asked = await world.alice.slash(world.channel, "ask", question="What did Nokia say about the Huawei ban?")
    why = await world.alice.click(asked.response, label="Why this?")
    text = why.response.embeds[0].description
    assert "never mentions" in text and "holds at least" not in text
    asked = await world.alice.slash(world.channel, "ask", question="How old is Justin Trudeau?")
    why = await world.alice.click(asked.response, label="Why this?")
    assert "a time or a number" in why.response.embeds[0].description
