"""The command tree: where commands may be used, and the last line of defence for errors:
an exception in any command is logged and the user gets a short private notice."""

from __future__ import annotations

import logging

import discord
from discord import app_commands

from .responding import apologise

log = logging.getLogger(__name__)

# Member commands work in servers and in DMs with the bot, not in other people's DMs.
EVERYWHERE = {"guilds": True, "dms": True, "private_channels": False}


class StoryTree(app_commands.CommandTree):
    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        name = interaction.command.qualified_name if interaction.command else "?"
        log.error("/%s failed", name, exc_info=error)
        try:
            await apologise(interaction)
        except Exception:  # never let the error handler itself fail loudly
            log.exception("could not tell the user about the failure of /%s", name)
