"""Who may run operator commands: the application's owner (or its team) and the
user ids listed in `discord.admin_user_ids`.

Checked in every operator command's handler. Hiding the command with default
member permissions only keeps it out of regular members' menus; a server
administrator is not an operator of the bot.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord
from discord.ext import commands

from ..config import DiscordConfig
from .responding import send

if TYPE_CHECKING:
    from .client import StoryBot

log = logging.getLogger(__name__)


async def is_operator(bot: commands.Bot, user: discord.abc.User, settings: DiscordConfig) -> bool:
    if user.id in settings.admin_user_ids:
        return True
    try:
        # discord.py fetches and caches the application's owner, or its team's
        # admins and developers, on first use.
        return await bot.is_owner(user)
    except discord.HTTPException:
        log.warning("could not fetch the application's owner; treating user as not an operator", exc_info=True)
        return False


async def admit_operator(bot: "StoryBot", interaction: discord.Interaction, refusal: str) -> bool:
    """Acknowledge an operator command (ephemerally, before the owner lookup or any slow
    work) and check its user; anyone else gets `refusal` and the command does nothing."""
    name = interaction.command.qualified_name if interaction.command else "?"
    try:
        await interaction.response.defer(ephemeral=True, thinking=True)
    except discord.HTTPException:
        log.warning("could not acknowledge /%s; not running it", name, exc_info=True)
        return False
    if not await is_operator(bot, interaction.user, bot.holder.engine.config.discord):
        log.warning("/%s refused for user %s (not an operator)", name, interaction.user.id)
        await send(interaction, content=refusal, ephemeral=True)
        return False
    return True
