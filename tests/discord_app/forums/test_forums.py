"""Forum mode (`discord.channels.<id>.mode: forum`): a member's new post is answered in its
thread, once, from its title; from its first message too only with the Message Content
intent the operator enabled and declared.

SimCord has no member action for starting a forum post (its backend makes only the bot's),
so `post` below does what Discord does when a member posts: one thread in the forum,
owned by the member, whose first message has the thread's id, announced by a
THREAD_CREATE (newly created) and then that message's MESSAGE_CREATE. Posting is gated
like Discord gates it: Send Messages in the forum.
"""

from __future__ import annotations

import logging

import discord
import simcord

from ..conftest import World, plain, story_paragraphs

MENG = "When was Meng Wanzhou arrested?"


async def post(world: World, forum: simcord.ChannelHandle, member: simcord.MemberActor, title: str, body: str) -> simcord.ChannelHandle:
    backend = world.env.backend
    backend.require_permissions(world.guild.id, member.id, forum.id, "send_messages")
    starter = backend.prepare_message(forum.id, member.id, body)
    thread = backend.create_thread(forum.id, title, member.id, message_id=starter.id, broadcast=False)
    starter.channel_id = thread.id
    backend.commit_message(starter, broadcast=False)
    backend.announce_thread_create(thread)
    backend.announce_message_create(starter)
    await world.env.settle()
    return next(t for t in forum.threads if t.id == thread.id)


def bot_messages(channel: simcord.ChannelHandle) -> list[discord.Message]:
    return [m for m in channel.history() if m.author.bot]


async def forum_world(make_world, settings=None, **kwargs) -> tuple[World, simcord.ChannelHandle]:
    world = await make_world(settings, **kwargs)
    forum = world.guild.create_forum_channel("ask-the-desk")
    await world.reconfigure({"channels": {forum.id: {"mode": "forum"}}})
    return world, forum


async def test_a_new_post_is_answered_in_its_thread_from_its_title(make_world):
    world, forum = await forum_world(make_world)
    thread = await post(world, forum, world.alice, MENG, "I keep reading different dates.")

    [answer] = bot_messages(thread)
    assert answer.embeds[0].footer.text.startswith("¶5 of 12")
    paragraph = next(p for p in story_paragraphs() if "arrested Huawei chief financial officer" in p)
    assert plain(answer.embeds[0].description) == paragraph
    assert not answer.mention_everyone and answer.mentions == []


async def test_a_post_is_answered_once_even_if_discord_announces_it_again(make_world):
    world, forum = await forum_world(make_world)
    thread = await post(world, forum, world.alice, MENG, "Thanks!")
    assert len(bot_messages(thread)) == 1

    backend = world.env.backend
    # A repeated THREAD_CREATE for a thread the client already knows (a gateway replay) ...
    backend.announce_thread_create(backend.get_channel(thread.id))
    await world.env.settle()
    # ... and one after the client's cache forgot the thread, which discord.py does pass on.
    guild = world.bot.get_guild(world.guild.id)
    guild._remove_thread(guild.get_thread(thread.id))
    backend.announce_thread_create(backend.get_channel(thread.id))
    await world.env.settle()

    assert len(bot_messages(thread)) == 1


async def test_without_the_intent_only_the_title_is_read(make_world):
    world, forum = await forum_world(make_world)
    thread = await post(world, forum, world.alice, "Quick question", MENG)

    [answer] = bot_messages(thread)
    assert answer.embeds[0].title == "The story doesn't say"  # the body (the real question) was not read
    assert world.bot.intents.message_content is False


async def test_with_the_declared_intent_the_first_message_is_read_too(make_world):
    approved = discord.Intents.default()
    approved.message_content = True  # what the operator switched on in the developer portal
    world, forum = await forum_world(make_world, {"discord": {"message_content_intent": True}}, approved_intents=approved)
    assert world.bot.intents.message_content is True
    thread = await post(world, forum, world.alice, "Quick question", MENG)

    [answer] = bot_messages(thread)
    assert answer.embeds[0].footer.text.startswith("¶5 of 12")


async def test_only_posts_in_forum_mode_forums_by_people_are_answered(make_world):
    world, forum = await forum_world(make_world)
    other = world.guild.create_forum_channel("chatter")  # not listed: reply mode, nothing read unasked
    quiet = await post(world, other, world.alice, MENG, "Thanks!")
    helper = world.guild.add_member(world.env.create_user("otherbot", bot=True))
    by_bot = await post(world, forum, helper, MENG, "Thanks!")

    assert bot_messages(quiet) == []
    assert [m for m in by_bot.history() if m.author.id == world.bot.user.id] == []


async def test_without_send_messages_in_threads_posts_are_left_and_it_logs_once(make_world, caplog):
    world = await make_world()
    forum = world.guild.create_forum_channel("ask-the-desk")
    world.env.backend.set_overwrite(
        forum.id,
        simcord.backend.models.Overwrite(
            target_id=world.bot.user.id,
            type=simcord.enums.OverwriteType.MEMBER,
            deny=discord.Permissions(send_messages_in_threads=True).value,
        ),
    )
    await world.env.settle()
    await world.reconfigure({"channels": {forum.id: {"mode": "forum"}}})

    with caplog.at_level(logging.WARNING, logger="bot"):
        first = await post(world, forum, world.alice, MENG, "Thanks!")
        second = await post(world, forum, world.bob, "Who is Ritesh Kotak?", "Thanks!")

    assert bot_messages(first) == [] and bot_messages(second) == []
    warnings = [r.getMessage() for r in caplog.records if "forum mode" in r.getMessage()]
    assert len(warnings) == 1, warnings
    assert str(forum.id) in warnings[0] and "Send Messages in Threads" in warnings[0]


async def test_a_text_channel_set_to_forum_mode_does_not_answer_its_threads_unasked(make_world, caplog):
    world = await make_world()
    await world.reconfigure({"channels": {world.channel.id: {"mode": "forum"}}})
    with caplog.at_level(logging.WARNING, logger="bot"):
        for title in (MENG, "Who is Ritesh Kotak?"):
            thread = world.env.backend.create_thread(world.channel.id, title, world.alice.id)
            await world.env.settle()
            assert [m for m in world.env.backend.messages.get(thread.id, {}).values()] == []
    warnings = [r.getMessage() for r in caplog.records if "not a forum channel" in r.getMessage()]
    assert len(warnings) == 1 and str(world.channel.id) in warnings[0]


async def test_a_post_that_mentions_the_bot_is_answered_once(make_world):
    world, forum = await forum_world(make_world)
    thread = await post(world, forum, world.alice, MENG, f"{world.bot.user.mention} {MENG}")
    assert len(bot_messages(thread)) == 1

    # A later mention in the post is a follow-up, answered as a reply in the post's thread.
    follow_up = await world.bob.send(thread, f"{world.bot.user.mention} Who is Ritesh Kotak?")
    answers = bot_messages(thread)
    assert len(answers) == 2 and answers[-1].reference.message_id == follow_up.id
