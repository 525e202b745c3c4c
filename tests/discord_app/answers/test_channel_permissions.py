"""Channels where someone may not do everything: a member who may not post there (an
announcements channel), and a bot that may not read the channel's history."""

from __future__ import annotations

import logging

import discord
import pytest
from simcord.backend.errors import BackendError
from simcord.http import router

from ..conftest import World

MENG = "When was Meng Wanzhou arrested?"
CANNOT_REPLY = 160002  # Discord: "Cannot reply without permission to read message history"


def _announcements(world: World) -> object:
    """A channel where members read but may not post, as in an announcements channel."""
    return world.guild.create_text_channel(
        "announcements", overwrites={world.guild.default_role: discord.PermissionOverwrite(send_messages=False)}
    )


def _public_text(world: World, channel) -> str:
    """Everything another member (bob) sees in the channel."""
    return " ".join(str(m.content) + " " + str([e.to_dict() for e in m.embeds]) for m in channel.history(viewer=world.bob))


# --- a member who may not post ------------------------------------------------------------------


@pytest.mark.parametrize("slow", [False, True], ids=["answered at once", "deferred first"])
async def test_ask_where_the_member_may_not_post_answers_only_them(make_world, slow):
    """Discord accepts an interaction's public response whatever the member's channel
    permissions (the application posts it), so the bot must read what the member may do
    from the interaction (its `permissions`) and answer privately where they may not post."""
    world = await make_world()
    if slow:
        world.bot.desk.acknowledge_after = 0  # the defer ("thinking…") decides visibility
    announcements = _announcements(world)
    result = await world.alice.slash(announcements, "ask", question=MENG)

    assert result.ephemeral and result.response.ephemeral
    assert result.response.embeds[0].footer.text.startswith("¶5 of 12")  # she still gets her answer
    assert MENG not in _public_text(world, announcements) and "Meng" not in _public_text(world, announcements)

    where_she_may_post = await world.alice.slash(world.channel, "ask", question=MENG)
    assert not where_she_may_post.ephemeral  # elsewhere the default (public) still applies


async def test_a_member_who_may_post_in_the_announcements_channel_answers_publicly(make_world):
    world = await make_world()
    announcements = world.guild.create_text_channel(
        "announcements",
        overwrites={
            world.guild.default_role: discord.PermissionOverwrite(send_messages=False),
            world.bob: discord.PermissionOverwrite(send_messages=True),  # e.g. the news editor
        },
    )
    result = await world.bob.slash(announcements, "ask", question=MENG)
    assert not result.ephemeral and result.response.embeds[0].fields[0].value == MENG


# --- a bot that may not read the channel's history ------------------------------------------------


@pytest.fixture
def replies_need_history():
    """Discord's rule, which SimCord does not model: a message with a `message_reference`
    (a reply) sent where the bot lacks Read Message History is refused with HTTP 400,
    JSON error code 160002. Modelled around SimCord's own create-message route, with
    SimCord's own permission computation."""
    routes = router._ROUTES["POST"]
    at = next(i for i, (template, _) in enumerate(routes) if template == ["channels", "{channel_id}", "messages"])
    template, send_message = routes[at]

    def refuse_blind_replies(ctx):
        channel = ctx.backend.get_channel(ctx.int_arg("channel_id"))
        if ctx.body().get("message_reference") and channel.guild_id is not None:
            allowed = ctx.backend.compute_permissions(channel.guild_id, ctx.backend.bot_user.id, channel.id)
            if not allowed & discord.Permissions.read_message_history.flag:
                raise BackendError(400, CANNOT_REPLY, "Cannot reply without permission to read message history")
        return send_message(ctx)

    routes[at] = (template, refuse_blind_replies)
    yield
    routes[at] = (template, send_message)


def _no_history_for_the_bot(world: World):
    return world.guild.create_text_channel(
        "no-history", overwrites={world.bot.user: discord.PermissionOverwrite(read_message_history=False)}
    )


async def test_the_model_refuses_replies_without_history(make_world, replies_need_history):
    """The modelled rule holds (so the next test's pass means something)."""
    world = await make_world()
    channel = _no_history_for_the_bot(world)
    asked = await world.alice.send(channel, "hello")
    with pytest.raises(discord.HTTPException) as refused:
        await world.bot.get_channel(channel.id).send("x", reference=asked)
    assert refused.value.code == CANNOT_REPLY
    await world.bot.get_channel(channel.id).send("a plain message is fine")


async def test_a_mention_where_the_bot_cannot_read_history_is_answered_with_a_plain_message(
    make_world, replies_need_history, caplog
):
    world = await make_world()
    channel = _no_history_for_the_bot(world)
    with caplog.at_level(logging.INFO, logger="bot"):
        for _ in range(2):
            await world.alice.send(channel, f"{world.bot.user.mention} {MENG}")
    answers = [m for m in channel.history() if m.author.id == world.bot.user.id]
    assert len(answers) == 2
    for answer in answers:
        assert answer.embeds and answer.embeds[0].footer.text.startswith("¶5 of 12")
        assert answer.reference is None  # a plain message, not a reply
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING and r.name.startswith("bot")]
    assert len(warnings) == 1 and "Read Message History" in warnings[0].getMessage()  # said once, not per message


async def test_a_reply_refused_with_160002_falls_back_to_a_plain_message(make_world, caplog):
    """The bot's view of its permissions can be out of date: Discord's 160002 refusal itself
    (injected once) also falls back to a plain message instead of an apology that would be refused too."""
    world = await make_world()
    world.env.inject_error(
        "POST", "/channels/*/messages", status=400, code=CANNOT_REPLY,
        message="Cannot reply without permission to read message history", times=1,
    )
    with caplog.at_level(logging.INFO, logger="bot"):
        await world.alice.send(world.channel, f"{world.bot.user.mention} {MENG}")
    last = world.channel.last_message
    assert last.author.id == world.bot.user.id and last.embeds[0].footer.text.startswith("¶5 of 12")
    assert last.reference is None
    assert "something went wrong" not in (last.content or "")
    assert sum("Read Message History" in r.getMessage() for r in caplog.records) == 1

    await world.alice.send(world.channel, f"{world.bot.user.mention} {MENG}")  # history is readable here
    assert world.channel.last_message.reference is not None  # replies again
