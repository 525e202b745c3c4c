"""Who may run operator commands, and the decorator that declares one.

An operator is the application's owner (or its team) or a user id listed in
`discord.admin_user_ids`. `operator_command` puts the check in front of the
handler itself, so a new operator command cannot forget it: its body only runs for
an operator. Hiding the command with default member permissions only keeps it out of
regular members' menus; a server administrator is not an operator of the bot.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from typing import Any, Awaitable, Callable

import aiohttp
import discord
from discord import app_commands
from discord.ext import commands

from ...config import DiscordConfig
from ..responding import send
from ..tree import EVERYWHERE

log = logging.getLogger(__name__)

Handler = Callable[..., Awaitable[None]]

# What the owner lookup raises when Discord refuses it (HTTPException) or cannot be
# reached at all (aiohttp's connection errors, OSError, a timeout).
LOOKUP_ERRORS = (discord.HTTPException, aiohttp.ClientError, OSError, asyncio.TimeoutError)
UNCHECKED = " I couldn't check who my operators are just now (Discord didn't answer); please try again in a moment."


class OwnerLookupFailed(Exception):
    """The application's owner could not be fetched, so only the listed operators are known."""


async def is_operator(bot: commands.Bot, user: discord.abc.User, settings: DiscordConfig) -> bool:
    """Listed in `discord.admin_user_ids`, or the application's owner (team admins and
    developers included). Raises OwnerLookupFailed when the owner cannot be fetched: the
    caller refuses (fails closed) and can say why."""
    if user.id in settings.admin_user_ids:
        return True
    try:
        # discord.py fetches and caches the application's owner, or its team's
        # admins and developers, on first use.
        return await bot.is_owner(user)
    except LOOKUP_ERRORS as exc:
        detail = f"{exc.status} {exc.text}" if isinstance(exc, discord.HTTPException) else f"{type(exc).__name__}: {exc}"
        log.warning("could not fetch the application's owner (%s); treating user %s as not an operator", detail, user.id)
        raise OwnerLookupFailed(detail) from None


async def admit_operator(interaction: discord.Interaction, refusal: str) -> bool:
    """Acknowledge an operator command (ephemerally, before the owner lookup or any slow
    work) and check its user; anyone else gets `refusal` and the command does nothing."""
    name = interaction.command.qualified_name if interaction.command else "?"
    try:
        await interaction.response.defer(ephemeral=True, thinking=True)
    except discord.HTTPException:
        log.warning("could not acknowledge /%s; not running it", name, exc_info=True)
        return False
    bot = interaction.client
    settings: DiscordConfig = bot.settings  # type: ignore[attr-defined]
    try:
        admitted = isinstance(bot, commands.Bot) and await is_operator(bot, interaction.user, settings)
    except OwnerLookupFailed:
        await send(interaction, content=refusal + UNCHECKED, ephemeral=True)
        return False
    if not admitted:
        log.warning("/%s refused for user %s (not an operator)", name, interaction.user.id)
        await send(interaction, content=refusal, ephemeral=True)
        return False
    return True


def operator_command(name: str, description: str, refusal: str) -> Callable[[Handler], app_commands.Command]:  # type: ignore[type-arg]
    """An operator-only slash command whose handler runs only for an operator (`refusal` is
    what anyone else is told); hidden from members by default permissions, usable in
    servers and DMs. Works on functions and on Cog methods.

    The check runs inside the handler, not as an app_commands check: a refusal is an
    answer, not an error for the tree's error handler.
    """

    def wrap(handler: Handler) -> app_commands.Command:  # type: ignore[type-arg]
        @functools.wraps(handler)  # discord.py reads the options from the wrapped signature
        async def checked(*args: Any) -> None:
            interaction = next(a for a in args if isinstance(a, discord.Interaction))
            if await admit_operator(interaction, refusal):
                await handler(*args)

        command: Any = checked
        command = app_commands.allowed_installs(guilds=True, users=False)(command)
        command = app_commands.allowed_contexts(**EVERYWHERE)(command)
        command = app_commands.default_permissions(administrator=True)(command)
        return app_commands.command(name=name, description=description)(command)

    return wrap
