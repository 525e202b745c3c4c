"""The Cog that owns the insights recorder.

It subscribes to the question desk, so every answer and abstention the desk hands out
and the surface delivered is logged, whatever surface it came from; nothing else writes
question records. A /reload applies the insights settings (all but the database path):
turning the log off or on, retrying a log that could not be opened, and the privacy
settings; what changed goes into the reload report.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

import discord
from discord.ext import commands

from ...insights import InsightsError, InsightsRecorder, InsightsStore, QuestionRecord
from ...presentation import escape_markdown

if TYPE_CHECKING:
    from ...config import Config
    from ...engine import Engine
    from ..client import StoryBot

log = logging.getLogger(__name__)

COG = "InsightsLog"
# How long one attempt to open the log waits for a database another program has locked.
BUSY_TIMEOUT = 10.0


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
            # The bot answers without a log rather than not at all; /reload tries again.
            self.recorder, _ = await _open_recorder(config)
        self.bot.desk.listeners.append(self.on_question)
        self.bot.holder.after_reload.append(self.apply_settings)

    async def cog_unload(self) -> None:
        """Commit what is queued and close the database (the bot is closing)."""
        _discard(self.bot.desk.listeners, self.on_question)
        _discard(self.bot.holder.after_reload, self.apply_settings)
        if self.recorder is not None:
            self.recorder.close()

    def on_question(self, record: QuestionRecord) -> None:
        """A question desk listener: keep each answer and abstention the member received
        (a cooldown or an error is only a log line)."""
        if self.recorder is not None and record.has_answer:
            self.recorder.record(record)

    async def apply_settings(self, engine: "Engine") -> str | None:
        """After a /reload, every insights setting but the database path applies: `enabled`
        both ways (off: what is queued is committed, then nothing more is logged and new
        answers carry no feedback buttons; on: the log opens), a log that could not be
        opened is tried again, and `log_question_text` / `retention_days` apply to the open
        log. Returns the line for the reload report, or None when nothing changed."""
        settings = engine.config.insights
        recorder = self.recorder
        if not settings.enabled:
            if recorder is None:
                return None
            self.recorder = None  # from now on: no rows, no feedback buttons
            await asyncio.to_thread(recorder.close)  # commits what was queued before
            log.info("insights log closed (insights.enabled: false)")
            return "Question log: off (insights.enabled: false). Nothing more is logged and new answers have no feedback buttons."
        if recorder is None:
            self.recorder, error = await _open_recorder(engine.config)
            if self.recorder is None:
                return f"Question log: still off, it could not be opened: {escape_markdown(error or 'unknown error')}"
            if self.recorder.store is None:
                return f"Question log: not open yet, retrying in the background: {escape_markdown(error or 'busy')}"
            return f"Question log: on ({escape_markdown(str(self.recorder.store.path))})."
        store = recorder.store
        if store is None:
            error = recorder.error
            if error is None or error.transient:
                # Busy (locked, a server starting): the recorder keeps trying and keeps what is
                # asked meanwhile. A reopen now would add nothing but a wait.
                return f"Question log: not open yet, retrying in the background: {escape_markdown(str(error or 'opening'))}"
            try:  # the background attempts met a lasting problem: try again, with the new config
                store = await asyncio.to_thread(recorder.reopen, engine.config, BUSY_TIMEOUT + 5)
            except InsightsError as exc:
                return f"Question log: still off, it could not be opened: {escape_markdown(str(exc))}"
            return f"Question log: on ({escape_markdown(str(store.path))})."
        if (store.log_question_text, store.retention_days) == (settings.log_question_text, settings.retention_days):
            return None
        erasing = store.log_question_text and not settings.log_question_text
        await asyncio.to_thread(store.reconfigure, settings.log_question_text, settings.retention_days)
        log.info(
            "insights: question text %s, retention %d days",
            "kept" if settings.log_question_text else "not kept",
            settings.retention_days,
        )
        if erasing:
            return "Question log: question text no longer kept; the text already kept was erased."
        return None


async def _open_recorder(config: "Config") -> "tuple[InsightsRecorder | None, str | None]":
    """The log config.insights describes, opened off the event loop, and why it is not open.

    A busy database (locked by another program, a server still starting) gets a recorder
    that keeps trying in the background and keeps what is asked meanwhile; one that cannot
    be used at all (not a database, a newer schema) leaves the log off until /reload."""
    try:
        store = await asyncio.to_thread(InsightsStore.open, config, busy_timeout=BUSY_TIMEOUT)
    except InsightsError as exc:
        if exc.transient:
            log.warning("insights: %s; retrying in the background", exc)
            recorder = InsightsRecorder.opening(config, busy_timeout=BUSY_TIMEOUT)
            recorder.error = recorder.error or exc  # why it is not open, until its own first attempt says
            return recorder, str(exc)
        log.error("insights disabled: %s", exc)
        return None, str(exc)
    log.info("insights log: %s (question text %s)", store.path, "kept" if store.log_question_text else "not kept")
    return InsightsRecorder(store), None


def recorder_of(client: discord.Client) -> InsightsRecorder | None:
    """The bot's insights recorder, or None when the log is off (or the feature is not loaded)."""
    # Looked up by name, not by class: reloading an extension re-imports its modules,
    # so the Cog's class is not always the one this module once imported.
    cog = client.get_cog(COG) if isinstance(client, commands.Bot) else None
    return getattr(cog, "recorder", None)


def _discard(listeners: list, listener: object) -> None:  # type: ignore[type-arg]
    if listener in listeners:
        listeners.remove(listener)
