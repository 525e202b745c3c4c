"""/reload and /stats: for the bot's operators only (the check is in the decorator)."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from typing import TYPE_CHECKING

import discord
from discord.ext import commands

from ...insights import InsightsError, compute_stats
from ...presentation import escape_markdown
from ..insights_log._cog import recorder_of
from ..responding import deliver, send
from ._check import operator_command
from ._replies import reload_text, stats_embed, stats_failure_text

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
            if recorder is not None:  # busy at start-up: retried in the background
                why = f"its database is not open yet ({escape_markdown(str(recorder.error or 'opening'))}); it keeps trying, and /reload tries at once"
            elif enabled:
                why = "it could not open its database (see the log; /reload tries again)"
            else:
                why = "`insights.enabled` is false in config.yaml"
            await send(interaction, content=f"No statistics: the question log is off because {why}.", ephemeral=True)
            return
        try:
            numbers = await asyncio.to_thread(compute_stats, store)
        except (sqlite3.Error, InsightsError, OSError) as exc:
            # Said to the operator, privately: what is wrong and with which file.
            log.error("/stats could not read the question log %s: %s", store.path, exc)
            await send(interaction, content=stats_failure_text(str(store.path), exc), ephemeral=True)
            return
        titles = {d.id: d.title for d in self.bot.holder.engine.index.corpus.documents}
        await deliver(interaction, embed=stats_embed(numbers, titles), ephemeral=True)
