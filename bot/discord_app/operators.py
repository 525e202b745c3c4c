"""Who may run operator commands: the application's owner (or its team) and the
user ids listed in `discord.admin_user_ids`.

Checked in every operator command's handler. Hiding the command with default
member permissions only keeps it out of regular members' menus; a server
administrator is not an operator of the bot.
"""

from __future__ import annotations

import logging

import discord
from discord.ext import commands

from ..config import DiscordConfig

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
