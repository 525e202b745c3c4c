"""/reload and /stats: for the bot's operators only (the check is in the decorator)."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

import discord
from discord.ext import commands

from ...insights import compute_stats
from ..insights_log._cog import recorder_of
from ..responding import deliver, send
from ._check import operator_command
from ._replies import reload_text, stats_embed

if TYPE_CHECKING:
    from ..client import StoryBot

log = logging.getLogger(__name__)


class Operators(commands.Cog):
    def __init__(self, bot: "StoryBot") -> None:
        self.bot = bot

    @operator_command(
        "reload",
        "Operators only: reload the config and the story from disk",
        refusal="Sorry, only the bot's operators can reload it. Nothing was changed.",
    )
    async def reload(self, interaction: discord.Interaction) -> None:
        # Acknowledged by the check already: the owner lookup and the rebuild can both take longer than 3 s.
        log.info("/reload requested by operator %s", interaction.user.id)
        report = await self.bot.holder.reload()
        await deliver(interaction, content=reload_text(report), ephemeral=True)

    @operator_command(
        "stats",
        "Operators only: questions, answers and feedback",
        refusal="Sorry, only the bot's operators can see its statistics.",
    )
    async def stats(self, interaction: discord.Interaction) -> None:
        recorder = recorder_of(self.bot)
        store = recorder.store if recorder is not None else None
        if store is None:
            enabled = self.bot.holder.engine.config.insights.enabled
            why = "it could not open its database (see the log)" if enabled else "`insights.enabled` is false in config.yaml"
            await send(interaction, content=f"No statistics: the question log is off because {why}.", ephemeral=True)
            return
        numbers = await asyncio.to_thread(compute_stats, store)
        titles = {d.id: d.title for d in self.bot.holder.engine.index.corpus.documents}
        await deliver(interaction, embed=stats_embed(numbers, titles), ephemeral=True)
