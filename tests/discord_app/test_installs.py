"""A user-installable app (`discord.user_install: true`): /ask and "Ask the story bot" may be
added to a member's own account and used in any server or DM; operator commands stay
installed by servers only; and no mode or install adds a privileged intent.

What SimCord does not model, and the tests model instead: SimCord sends every interaction
as coming through the server's installation (an empty `authorizing_integration_owners`,
`context` 0 or 1) and has no DMs between people. Discord sends a command used through a
member's own installation with `authorizing_integration_owners: {"1": <their user id>}`
(no "0" entry where the server did not install the app) and, in a DM between people,
`context: 2` (PRIVATE_CHANNEL). `own_install` below writes exactly those fields into the
interactions SimCord builds for one member; everything else (the command sync, the option
checks, the response) is SimCord's.
"""

from __future__ import annotations

from typing import Any

import discord
import pytest
import simcord
import simcord.interactions

from .conftest import World

MENG = "When was Meng Wanzhou arrested?"
GUILD, USER = 0, 1  # Discord's installation types
GUILD_CONTEXT, BOT_DM, PRIVATE_CHANNEL = 0, 1, 2  # Discord's interaction contexts


def own_install(monkeypatch: pytest.MonkeyPatch, member: simcord.MemberActor, context: int | None = None) -> None:
    """From now on, `member`'s interactions come through their own installation of the app."""
    build = simcord.interactions.base_payload

    def through_user_install(backend: Any, **kwargs: Any) -> Any:
        record, payload = build(backend, **kwargs)
        if kwargs["user_id"] == member.id:
            payload["authorizing_integration_owners"] = {str(USER): str(member.id)}
            if context is not None:
                payload["context"] = context
        return record, payload

    monkeypatch.setattr(simcord.interactions, "base_payload", through_user_install)


def synced(world: World, name: str, kind: int = 1) -> dict[str, Any]:
    """The command as the bot synced it to (simulated) Discord."""
    command = world.env.backend.find_command(name, None, type=kind)
    assert command is not None, f"{name} was not synced"
    return command


async def test_user_install_makes_ask_and_the_message_command_installable_by_members(make_world):
    world = await make_world({"discord": {"user_install": True}})
    for name, kind in (("ask", 1), ("Ask the story bot", 3)):
        command = synced(world, name, kind)
        assert sorted(command["integration_types"]) == [GUILD, USER]
        assert sorted(command["contexts"]) == [GUILD_CONTEXT, BOT_DM, PRIVATE_CHANNEL]
    for name in ("reload", "stats"):  # operator commands: servers only, and still checked
        command = synced(world, name)
        assert command["integration_types"] == [GUILD]
        assert PRIVATE_CHANNEL not in command["contexts"]
    for name in ("help", "source"):
        assert synced(world, name)["integration_types"] == [GUILD]


async def test_by_default_nothing_is_installable_by_members(make_world):
    world = await make_world()
    for name, kind in (("ask", 1), ("Ask the story bot", 3), ("reload", 1), ("stats", 1)):
        command = synced(world, name, kind)
        assert command["integration_types"] == [GUILD]
        assert PRIVATE_CHANNEL not in command["contexts"]


async def test_a_user_installed_ask_in_a_dm_is_answered(make_world, monkeypatch):
    world = await make_world({"discord": {"user_install": True}})
    own_install(monkeypatch, world.alice, PRIVATE_CHANNEL)
    result = await world.alice.user.slash("ask", question=MENG)

    assert result.acknowledged and not result.ephemeral  # a DM between people: public to them
    assert result.response.embeds[0].footer.text.startswith("¶5 of 12")


async def test_a_user_installed_ask_where_external_apps_may_not_post_is_private(make_world, monkeypatch):
    world = await make_world({"discord": {"user_install": True}})
    own_install(monkeypatch, world.alice, GUILD_CONTEXT)
    # @everyone has no Use External Apps in this server (SimCord's default, and a common setting).
    result = await world.alice.slash(world.channel, "ask", question=MENG)
    assert result.ephemeral and result.response.ephemeral
    assert result.response.embeds[0].footer.text.startswith("¶5 of 12")

    # A member through the server's own installation still gets a public answer.
    public = await world.bob.slash(world.channel, "ask", question=MENG)
    assert not public.ephemeral


async def test_a_user_installed_ask_with_use_external_apps_is_public_but_starts_no_thread(make_world, monkeypatch):
    world = await make_world({"discord": {"user_install": True}})
    channel = world.guild.create_text_channel("questions")
    await world.reconfigure({"channels": {channel.id: {"mode": "thread"}}})
    external = world.guild.create_role("External apps", permissions=discord.Permissions(use_external_apps=True))
    carol = world.guild.add_member(world.env.create_user("carol"), roles=[external])
    own_install(monkeypatch, carol, GUILD_CONTEXT)

    result = await carol.slash(channel, "ask", question=MENG)

    assert not result.ephemeral
    assert result.response.embeds[0].footer.text.startswith("¶5 of 12")
    assert channel.threads == []  # a member's own installation cannot start the bot's threads


async def test_no_mode_or_install_setting_adds_a_privileged_intent(make_world):
    world = await make_world({"discord": {"user_install": True}})
    forum = world.guild.create_forum_channel("ask-the-desk")
    await world.reconfigure({"channels": {world.channel.id: {"mode": "thread"}, forum.id: {"mode": "forum"}}})
    intents = world.bot.intents
    assert not intents.message_content and not intents.members and not intents.presences
    assert intents.guilds and intents.guild_messages and intents.dm_messages  # what the modes do need
