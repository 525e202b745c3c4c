"""The operator check comes with the decorator: a new operator command needs no check of its own."""

from __future__ import annotations

import discord

from bot.discord_app.operators._check import operator_command
from bot.discord_app.responding import send

from ..conftest import World


async def _add_secret_command(world: World) -> list[int]:
    """A new operator command whose body checks nothing and records who ran it."""
    ran: list[int] = []

    @operator_command("secret", "Operators only: a test command", refusal="Sorry, operators only.")
    async def secret(interaction: discord.Interaction) -> None:
        ran.append(interaction.user.id)
        await send(interaction, content="the secret ran", ephemeral=True)

    world.bot.tree.add_command(secret)
    await world.bot.tree.sync()
    return ran


async def test_a_new_operator_command_refuses_a_member_without_a_check_in_its_body(make_world):
    world = await make_world()
    ran = await _add_secret_command(world)

    refused = await world.alice.user.slash("secret")
    assert refused.ephemeral and refused.response.content == "Sorry, operators only."
    assert ran == []  # the body never ran

    admin = await world.admin.slash(world.channel, "secret")  # a server admin is not an operator
    assert admin.response.content == "Sorry, operators only." and ran == []

    allowed = await world.operator.user.slash("secret")
    assert allowed.ephemeral and allowed.response.content == "the secret ran"
    assert ran == [world.operator.id]
