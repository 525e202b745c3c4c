"""The Cog that owns the insights recorder.

It subscribes to the question desk, so every answer and abstention the desk hands out
is logged, whatever surface it came from; nothing else writes question records. The
insights settings are read at start-up (a /reload does not reopen the log), except
`insights.log_question_text` and `retention_days`, which a reload applies.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

import discord
from discord.ext import commands

from ...insights import InsightsError, InsightsRecorder, InsightsStore, QuestionRecord

if TYPE_CHECKING:
    from ...engine import Engine
    from ..client import StoryBot

log = logging.getLogger(__name__)

COG = "InsightsLog"


class InsightsLog(commands.Cog, name=COG):
    def __init__(self, bot: "StoryBot") -> None:
        self.bot = bot
        self.recorder: InsightsRecorder | None = None

    @property
    def store(self) -> InsightsStore | None:
        return self.recorder.store if self.recorder is not None else None

    async def cog_load(self) -> None:
        config = self.bot.holder.engine.config
        if config.insights.enabled:
            try:
                store = await asyncio.to_thread(InsightsStore.open, config)
                self.recorder = InsightsRecorder(store)
                log.info("insights log: %s (question text %s)", store.path, "kept" if store.log_question_text else "not kept")
            except InsightsError as exc:
                # The bot answers without a log rather than not at all.
                log.error("insights disabled: %s", exc)
        self.bot.desk.listeners.append(self.on_question)
        self.bot.holder.on_swap.append(self.on_new_engine)

    async def cog_unload(self) -> None:
        """Commit what is queued and close the database (the bot is closing)."""
        _discard(self.bot.desk.listeners, self.on_question)
        _discard(self.bot.holder.on_swap, self.on_new_engine)
        if self.recorder is not None:
            self.recorder.close()

    def on_question(self, record: QuestionRecord) -> None:
        """A question desk listener: keep each answer and abstention (a cooldown or an
        error is only a log line)."""
        if self.recorder is not None and record.has_answer:
            self.recorder.record(record)

    def on_new_engine(self, engine: "Engine") -> None:
        """A /reload applies insights.log_question_text and retention_days to the open log."""
        store = self.store
        if store is None:
            return
        settings = engine.config.insights
        if (store.log_question_text, store.retention_days) == (settings.log_question_text, settings.retention_days):
            return

        async def apply() -> None:
            try:
                await asyncio.to_thread(store.reconfigure, settings.log_question_text, settings.retention_days)
                log.info(
                    "insights: question text %s, retention %d days",
                    "kept" if settings.log_question_text else "not kept",
                    settings.retention_days,
                )
            except Exception:
                log.exception("could not apply the new insights settings")

        asyncio.get_running_loop().create_task(apply())


def recorder_of(client: discord.Client) -> InsightsRecorder | None:
    """The bot's insights recorder, or None when the log is off (or the feature is not loaded)."""
    # Looked up by name, not by class: reloading an extension re-imports its modules,
    # so the Cog's class is not always the one this module once imported.
    cog = client.get_cog(COG) if isinstance(client, commands.Bot) else None
    return getattr(cog, "recorder", None)


def _discard(listeners: list, listener: object) -> None:  # type: ignore[type-arg]
    if listener in listeners:
        listeners.remove(listener)
