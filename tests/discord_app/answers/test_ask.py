"""/ask, DMs and mentions, as members use them."""

from __future__ import annotations

import logging

import pytest
from simcord import OptionError

from ..conftest import plain, story_paragraphs

MENG = "When was Meng Wanzhou arrested?"


def _paragraph_with(words: str) -> tuple[int, str]:
    paragraphs = story_paragraphs()
    number = next(i for i, p in enumerate(paragraphs, 1) if words in p)
    return number, paragraphs[number - 1]


async def test_ask_quotes_the_paragraph_and_cites_it(make_world):
    world = await make_world()
    number, paragraph = _paragraph_with("arrested Huawei chief financial officer Meng Wanzhou")
    result = await world.alice.slash(world.channel, "ask", question=MENG)

    assert result.acknowledged and not result.ephemeral  # public by default
    embed = result.response.embeds[0]
    assert plain(embed.description) == paragraph
    assert "**Meng Wanzhou**" in embed.description  # question words highlighted
    assert embed.footer.text.startswith(f"¶{number} of {len(story_paragraphs())}")
    assert "CTV News" in embed.footer.text
    assert embed.title.startswith("Trump may bar Huawei")
    assert embed.fields[0].value == MENG


async def test_ask_abstains_with_a_hint_when_the_story_does_not_say(make_world):
    world = await make_world({"discord": {"example_questions": ["Who arrested Meng Wanzhou?"]}})
    result = await world.alice.slash(world.channel, "ask", question="What is the capital of France?")

    embed = result.response.embeds[0]
    assert embed.title == "The story doesn't say"
    assert "Trump may bar Huawei" in embed.description  # what the story does cover
    assert "Who arrested Meng Wanzhou?" in embed.description  # an example from config
    assert embed.footer.text is None  # no citation for a non-answer
    assert not any(p[:40] in embed.description for p in story_paragraphs())  # no quote


async def test_ephemeral_setting_makes_answers_private(make_world):
    world = await make_world({"discord": {"ephemeral": True}})
    result = await world.alice.slash(world.channel, "ask", question=MENG)
    assert result.ephemeral and result.response.ephemeral
    assert result.response.embeds[0].footer.text.startswith("¶5")


async def test_question_option_is_length_limited(make_world):
    world = await make_world({"discord": {"max_question_length": 40}})
    with pytest.raises(OptionError, match="at most 40 characters"):
        await world.alice.slash(world.channel, "ask", question="x" * 41)
    result = await world.alice.slash(world.channel, "ask", question=MENG)
    assert result.response.embeds[0].footer.text.startswith("¶5")


async def test_any_direct_message_is_a_question(make_world):
    world = await make_world()
    number, paragraph = _paragraph_with("Ritesh Kotak")
    await world.alice.user.send_dm("who is ritesh kotak?")

    reply = world.alice.user.dm_channel.last_message
    assert reply.author.id == world.bot.user.id
    assert plain(reply.embeds[0].description) == paragraph
    assert reply.embeds[0].footer.text.startswith(f"¶{number} of 12")


async def test_mention_gets_a_reply_to_that_message(make_world):
    world = await make_world()
    number, paragraph = _paragraph_with("Justin Trudeau")
    asked = await world.alice.send(world.channel, f"{world.bot.user.mention} who decides on banning Huawei in Canada?")

    reply = world.channel.last_message
    assert reply.author.id == world.bot.user.id
    assert reply.reference is not None and reply.reference.message_id == asked.id
    assert plain(reply.embeds[0].description) == paragraph
    assert reply.embeds[0].footer.text.startswith(f"¶{number} of 12")
    assert reply.mentions == []  # a reply that does not ping the asker


async def test_messages_not_addressed_to_the_bot_are_ignored(make_world):
    world = await make_world()
    await world.alice.send(world.channel, "When was Meng Wanzhou arrested?")
    helper = world.env.create_user("otherbot", bot=True)
    other = world.guild.add_member(helper)
    await other.send(world.channel, f"{world.bot.user.mention} When was Meng Wanzhou arrested?")
    assert all(m.author.id != world.bot.user.id for m in world.channel.history())


async def test_commands_work_in_direct_messages(make_world):
    world = await make_world()
    result = await world.alice.user.slash("ask", question=MENG)
    assert result.response.embeds[0].footer.text.startswith("¶5")


async def test_one_log_line_per_question_without_its_text(make_world, caplog):
    world = await make_world()
    with caplog.at_level(logging.INFO, logger="bot"):
        await world.alice.slash(world.channel, "ask", question="When was Meng Wanzhou arrested?")
        await world.alice.slash(world.channel, "ask", question="What is the capital of France?")
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("question ")]
    assert len(lines) == 2
    assert "outcome=answered" in lines[0] and "¶5" in lines[0] and "ms=" in lines[0] and "score=" in lines[0]
    assert "outcome=abstained" in lines[1]
    assert not any("Meng" in r.getMessage() or "France" in r.getMessage() for r in caplog.records)


async def test_question_text_is_logged_only_when_configured(make_world, caplog):
    world = await make_world({"logging": {"log_question_text": True}})
    with caplog.at_level(logging.INFO, logger="bot"):
        await world.alice.slash(world.channel, "ask", question="When was Meng Wanzhou arrested?")
    assert any("Meng Wanzhou" in r.getMessage() for r in caplog.records)


async def test_a_bare_mention_gets_usage_help(make_world):
    world = await make_world({"discord": {"example_questions": ["Who is Ritesh Kotak?"]}})
    await world.alice.send(world.channel, f"{world.bot.user.mention}")
    reply = world.channel.last_message
    assert reply.author.id == world.bot.user.id
    assert "Who is Ritesh Kotak?" in reply.embeds[0].description and "/ask" in reply.embeds[0].description
