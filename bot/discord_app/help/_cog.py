"""/help and /source: how to ask, and what the bot knows."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from ..responding import deliver
from ..tree import EVERYWHERE
from ._embeds import help_embed, source_embed

if TYPE_CHECKING:
    from ..client import StoryBot


class Help(commands.Cog):
    def __init__(self, bot: "StoryBot") -> None:
        self.bot = bot

    @app_commands.command(name="source", description="The documents I answer from, and when they were loaded")
    @app_commands.allowed_contexts(**EVERYWHERE)
    @app_commands.allowed_installs(guilds=True, users=False)
    async def source(self, interaction: discord.Interaction) -> None:
        holder = self.bot.holder
        await deliver(interaction, embed=source_embed(holder.engine, holder.loaded_at), ephemeral=True)

    @app_commands.command(name="help", description="How to ask me about the story, with examples")
    @app_commands.allowed_contexts(**EVERYWHERE)
    @app_commands.allowed_installs(guilds=True, users=False)
    async def help_(self, interaction: discord.Interaction) -> None:
        settings = self.bot.settings
        await deliver(interaction, embed=help_embed(settings.example_questions, settings.max_question_length), ephemeral=True)
