"""The engine in service, behind a reference that a reload swaps in one step.

A question reads `holder.engine` once and keeps that Engine for its whole
answer, so a reload never mixes two indexes. The new Engine is built in a worker
thread (the event loop keeps answering with the old one); only when it is
complete is the reference replaced. If building fails, nothing is replaced.

It is also the one place the Discord layer reads its settings from (`holder.settings`):
the `discord` section of the config in service, except the keys only a restart applies,
which keep their start-up values.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Awaitable, Callable

from ..config import ConfigError, DiscordConfig
from ..engine import CorpusError, Engine

log = logging.getLogger(__name__)

# Read once at start-up: the command sync, and the /ask option's length limit (which is
# part of the command synced to Discord). A /reload applies every other Discord setting.
RESTART_ONLY = ("sync_commands", "dev_guild_ids", "max_question_length")


@dataclass(frozen=True)
class ReloadReport:
    ok: bool
    documents_before: int
    passages_before: int
    documents_after: int
    passages_after: int
    seconds: float
    error: str | None = None  # for the operator: file and problem
    # Files left out under `corpus.on_error: skip` ("path: problem"): served without them.
    skipped: tuple[str, ...] = ()
    # What the features changed for the new config (e.g. "Question log: off ..."), one line each.
    notes: tuple[str, ...] = ()


# Run after a successful reload, with the new engine; returns a line for the operator (or None).
ReloadHook = Callable[[Engine], Awaitable["str | None"]]


class EngineHolder:
    def __init__(self, config_path: str | Path | None, engine: Engine | None = None, settings: DiscordConfig | None = None) -> None:
        self.config_path = config_path
        self._engine = engine
        # The start-up config's Discord settings pin RESTART_ONLY; without them, the first engine's do.
        self._startup: DiscordConfig | None = settings or (engine.config.discord if engine is not None else None)
        self._settings = self._startup or DiscordConfig()
        if engine is not None:
            self._settings = _pinned(engine.config.discord, self._settings)
        self.loaded_at: datetime | None = datetime.now(timezone.utc) if engine is not None else None
        self._lock = asyncio.Lock()
        # Called (on the event loop) with each engine put in service, e.g. to warm caches.
        self.on_swap: list[Callable[[Engine], None]] = []
        # Awaited after each successful /reload (under the reload lock, so settings apply in
        # order); what they return goes into the report.
        self.after_reload: list[ReloadHook] = []
        if engine is not None:
            _left_out(engine)

    @property
    def loaded(self) -> bool:
        return self._engine is not None

    @property
    def settings(self) -> DiscordConfig:
        """The Discord settings in force (see RESTART_ONLY for those a reload does not change)."""
        return self._settings

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            raise RuntimeError("the engine is not loaded yet")
        return self._engine

    async def load(self) -> Engine:
        """First load at start-up; errors propagate (start-up must refuse a broken corpus)."""
        if self._engine is None:
            self._swap(await asyncio.to_thread(Engine.load, self.config_path))
            _left_out(self.engine)
        return self.engine

    async def reload(self) -> ReloadReport:
        """Rebuild config and index from disk; on any failure the old engine stays in service."""
        async with self._lock:  # two operators reloading at once build one after the other
            old = self.engine
            started = time.perf_counter()
            try:
                new = await asyncio.to_thread(Engine.load, self.config_path)
            except (ConfigError, CorpusError) as exc:
                error = str(exc)
            except OSError as exc:
                error = f"{exc.filename or self.config_path}: {exc.strerror or exc}"
            except Exception as exc:  # a bug must not take the working index down with it
                log.exception("reload failed unexpectedly")
                error = f"unexpected {type(exc).__name__}: {exc}"
            else:
                self._swap(new)
                notes = await self._after_reload(new)
                seconds = time.perf_counter() - started
                log.info(
                    "reloaded: documents %d -> %d, passages %d -> %d in %.2f s",
                    old.documents, new.documents, old.passages, new.passages, seconds,
                )
                return ReloadReport(
                    True, old.documents, old.passages, new.documents, new.passages, seconds,
                    skipped=_left_out(new), notes=notes,
                )
            seconds = time.perf_counter() - started
            log.warning("reload failed, keeping the previous index: %s", error)
            return ReloadReport(
                False, old.documents, old.passages, old.documents, old.passages, seconds, error
            )

    async def _after_reload(self, engine: Engine) -> tuple[str, ...]:
        notes = []
        for hook in list(self.after_reload):
            try:
                note = await hook(engine)
            except Exception:  # the new index is in service; a feature failing to follow is reported
                log.exception("applying the reloaded settings failed in %r", hook)
                note = "A feature could not apply the new settings (see the log)."
            if note:
                notes.append(note)
        return tuple(notes)

    def _swap(self, engine: Engine) -> None:
        self._engine = engine
        if self._startup is None:
            self._startup = engine.config.discord
        self._settings = _pinned(engine.config.discord, self._startup)
        self.loaded_at = datetime.now(timezone.utc)
        for listener in list(self.on_swap):
            try:
                listener(engine)
            except Exception:
                log.exception("engine swap listener %r failed", listener)


def _pinned(settings: DiscordConfig, startup: DiscordConfig) -> DiscordConfig:
    return dataclasses.replace(settings, **{key: getattr(startup, key) for key in RESTART_ONLY})


def _left_out(engine: Engine) -> tuple[str, ...]:
    """Warn about each file `corpus.on_error: skip` left out, so the operator hears of it."""
    problems = tuple(str(problem) for problem in engine.index.corpus.skipped)
    for problem in problems:
        log.warning("left out of the index (corpus.on_error: skip): %s", problem)
    return problems
