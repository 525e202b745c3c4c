"""Thread mode (`discord.channels.<id>.mode: thread`), as members use it: a mention or /ask
starts a thread on the question and the answer is posted there; follow-ups in the thread
stay in it; without the permissions the bot answers as a reply and says so once."""

from __future__ import annotations

import logging
from typing import Any

import discord
from ..conftest import World, plain, story_paragraphs

MENG = "When was Meng Wanzhou arrested?"
KOTAK = "Who is Ritesh Kotak?"


def _paragraph_with(words: str) -> str:
    return next(p for p in story_paragraphs() if words in p)


async def threaded_world(make_world, settings: dict[str, Any] | None = None, **overwrites: Any) -> tuple[World, Any]:
    world = await make_world(settings)
    channel = world.guild.create_text_channel("questions", **overwrites)
    await world.reconfigure({"channels": {channel.id: {"mode": "thread"}}})
    return world, channel


def bot_messages(channel) -> list[discord.Message]:
    return [m for m in channel.history() if m.author.bot]


async def test_a_mention_starts_a_thread_on_the_question_and_answers_there(make_world):
    world, channel = await threaded_world(make_world)
    asked = await world.alice.send(channel, f"{world.bot.user.mention} {MENG}")

    [thread] = channel.threads
    assert thread.id == asked.id  # started on the member's message
    assert thread.name == MENG
    [answer] = bot_messages(thread)
    assert plain(answer.embeds[0].description) == _paragraph_with("arrested Huawei chief financial officer")
    assert answer.embeds[0].footer.text.startswith("¶5 of 12")
    assert [c.label for c in answer.components[0].children][:1] == ["Next match"]  # the buttons come along
    # Nothing but the thread's own notice lands in the channel itself.
    assert [m.type for m in bot_messages(channel)] in ([], [discord.MessageType.thread_created])


async def test_ask_starts_a_thread_on_its_response_and_answers_there(make_world):
    world, channel = await threaded_world(make_world)
    result = await world.alice.slash(channel, "ask", question=MENG)

    assert result.acknowledged and not result.ephemeral
    header = result.response
    assert "When was Meng Wanzhou arrested?" in header.content and not header.embeds
    [thread] = channel.threads
    assert thread.id == header.id and thread.name == MENG
    [answer] = bot_messages(thread)
    assert answer.embeds[0].footer.text.startswith("¶5 of 12")
    assert answer.embeds[0].fields[0].value == MENG


async def test_a_follow_up_mention_in_the_thread_is_answered_in_that_thread(make_world):
    world, channel = await threaded_world(make_world)
    await world.alice.send(channel, f"{world.bot.user.mention} {MENG}")
    [thread] = channel.threads

    follow_up = await world.bob.send(thread, f"{world.bot.user.mention} {KOTAK}")

    assert len(channel.threads) == 1  # no thread in a thread, no new thread in the channel
    answers = bot_messages(thread)
    assert len(answers) == 2
    last = answers[-1]
    assert last.reference is not None and last.reference.message_id == follow_up.id
    assert plain(last.embeds[0].description) == _paragraph_with("Ritesh Kotak")


async def test_a_follow_up_ask_in_the_thread_is_answered_in_that_thread(make_world):
    world, channel = await threaded_world(make_world)
    await world.alice.slash(channel, "ask", question=MENG)
    [thread] = channel.threads

    result = await world.bob.slash(thread, "ask", question=KOTAK)

    assert len(channel.threads) == 1
    assert plain(result.response.embeds[0].description) == _paragraph_with("Ritesh Kotak")
    answers = bot_messages(thread)
    assert len(answers) == 2 and answers[-1].id == result.response.id  # posted in the thread


async def test_other_channels_keep_replying(make_world):
    world, channel = await threaded_world(make_world)
    asked = await world.alice.send(world.channel, f"{world.bot.user.mention} {MENG}")
    assert world.channel.threads == [] and channel.threads == []
    reply = world.channel.last_message
    assert reply.reference.message_id == asked.id and reply.embeds[0].footer.text.startswith("¶5")


async def test_without_create_public_threads_it_replies_and_logs_once(make_world, caplog):
    world = await make_world()
    me = world.guild.me
    channel = world.guild.create_text_channel(
        "questions", overwrites={me: discord.PermissionOverwrite(create_public_threads=False)}
    )
    await world.reconfigure({"channels": {channel.id: {"mode": "thread"}}})

    with caplog.at_level(logging.WARNING, logger="bot"):
        first = await world.alice.send(channel, f"{world.bot.user.mention} {MENG}")
        await world.bob.send(channel, f"{world.bot.user.mention} {KOTAK}")
        result = await world.alice.slash(channel, "ask", question=MENG)

    assert channel.threads == []
    replies = [m for m in bot_messages(channel) if m.reference is not None]
    assert [r.reference.message_id for r in replies][:1] == [first.id]
    assert len(replies) == 2 and all(r.embeds for r in replies)
    assert result.response.embeds[0].footer.text.startswith("¶5")  # /ask: the answer, in the channel
    warnings = [r.getMessage() for r in caplog.records if "thread mode" in r.getMessage()]
    assert len(warnings) == 1, warnings
    assert str(channel.id) in warnings[0] and "Create Public Threads" in warnings[0] and "replies" in warnings[0]


async def test_an_ephemeral_ask_gets_no_thread(make_world):
    world, channel = await threaded_world(make_world, {"discord": {"ephemeral": True}})
    result = await world.alice.slash(channel, "ask", question=MENG)
    assert result.ephemeral and result.response.embeds[0].footer.text.startswith("¶5")
    assert channel.threads == []


async def test_thread_answers_ping_nobody(make_world):
    world, channel = await threaded_world(make_world)
    role = world.guild.create_role("Editors")
    loud = f"@everyone {role.mention} {world.bob.mention} {MENG}"
    await world.alice.send(channel, f"{world.bot.user.mention} {loud}")
    await world.alice.slash(channel, "ask", question=loud)

    threads = channel.threads
    assert len(threads) == 2
    assert all("everyone" in t.name and "@everyone" not in t.name for t in threads)  # shown, defused
    assert all("<@" not in t.name for t in threads)  # mention markup is not copied into a name
    sent = bot_messages(channel) + [m for t in threads for m in bot_messages(t)]
    assert len(sent) >= 3
    for message in sent:
        assert not message.mention_everyone and message.mentions == [] and message.role_mentions == [], (message.type, message.content, message.interaction_metadata)


async def test_if_discord_refuses_the_thread_the_answer_is_a_reply(make_world, caplog):
    world, channel = await threaded_world(make_world)
    world.env.inject_error("POST", "/channels/*/messages/*/threads", status=500, times=2)
    with caplog.at_level(logging.WARNING, logger="bot"):
        asked = await world.alice.send(channel, f"{world.bot.user.mention} {MENG}")
        result = await world.bob.slash(channel, "ask", question=KOTAK)

    assert channel.threads == []
    reply = next(m for m in bot_messages(channel) if m.reference is not None and m.reference.message_id == asked.id)
    assert reply.embeds[0].footer.text.startswith("¶5")
    # /ask: the question was posted, the thread refused, so the answer follows it in the channel.
    answers = [m for m in bot_messages(channel) if m.embeds and m.interaction_metadata is not None]
    assert [plain(m.embeds[0].description) for m in answers] == [_paragraph_with("Ritesh Kotak")]
    assert result.acknowledged
    assert sum("could not start a thread" in r.getMessage() for r in caplog.records) == 2


async def test_the_buttons_work_on_an_answer_in_a_thread(make_world):
    world, channel = await threaded_world(make_world)
    await world.alice.send(channel, f"{world.bot.user.mention} {MENG}")
    [thread] = channel.threads
    [answer] = bot_messages(thread)

    clicked = await world.alice.click(answer, label="Next match")  # the asker pages their answer

    assert clicked.response.id == answer.id  # edited in place, in the thread
    assert "match 2 of" in clicked.response.embeds[0].footer.text
