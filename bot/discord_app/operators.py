"""Who may run operator commands: the application's owner (or its team) and the
user ids listed in `discord.admin_user_ids`.

Checked in every operator command's handler. Hiding the command with default
member permissions only keeps it out of regular members' menus; a server
administrator is not an operator of the bot.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

import aiohttp
import discord
from discord.ext import commands

from ..config import DiscordConfig
from .responding import send

if TYPE_CHECKING:
    from .client import StoryBot

log = logging.getLogger(__name__)

# What the owner lookup raises when Discord refuses it (HTTPException) or cannot be
# reached at all (aiohttp's connection errors, OSError, a timeout).
LOOKUP_ERRORS = (discord.HTTPException, aiohttp.ClientError, OSError, asyncio.TimeoutError)
UNCHECKED = " I couldn't check who my operators are just now (Discord didn't answer); please try again in a moment."


class OwnerLookupFailed(Exception):
    """The application's owner could not be fetched, so only listed operators are known."""


async def is_operator(bot: commands.Bot, user: discord.abc.User, settings: DiscordConfig) -> bool:
    """Listed in `discord.admin_user_ids`, or the application's owner (team admins and
    developers included). Raises OwnerLookupFailed when the owner cannot be fetched:
    the caller refuses (fails closed) but can say why."""
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


async def admit_operator(bot: "StoryBot", interaction: discord.Interaction, refusal: str) -> bool:
    """Acknowledge an operator command (ephemerally, before the owner lookup or any slow
    work) and check its user; anyone else gets `refusal` and the command does nothing."""
    name = interaction.command.qualified_name if interaction.command else "?"
    try:
        await interaction.response.defer(ephemeral=True, thinking=True)
    except discord.HTTPException:
        log.warning("could not acknowledge /%s; not running it", name, exc_info=True)
        return False
    try:
        admitted = await is_operator(bot, interaction.user, bot.holder.engine.config.discord)
    except OwnerLookupFailed:
        await send(interaction, content=refusal + UNCHECKED, ephemeral=True)
        return False
    if not admitted:
        log.warning("/%s refused for user %s (not an operator)", name, interaction.user.id)
        await send(interaction, content=refusal, ephemeral=True)
        return False
    return True
