"""The Discord client: a `commands.Bot` that loads the engine on start-up, loads each
feature by name, syncs the slash commands when they changed, and on the way out stops
taking questions before it closes the features, within a deadline (see shutdown.py).

Each feature is an extension package (answers, buttons, help, operators, insights_log)
whose `setup(bot)` adds its Cog; the Cog holds the feature's state. This module imports
none of them, so the layer's import graph has no circle (tests/discord_app/test_layout.py).

No privileged intents: the bot needs guilds (for channels and threads) and messages (for
DMs and mentions, whose text Discord sends without the message-content intent). The one
exception is the operator's: `discord.message_content_intent: true` says they enabled that
intent in the developer portal, so forum posts can be answered from their first message too.
"""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path
from typing import Callable

import discord
from discord.ext import commands

from ..config import Config, DiscordConfig, load_config
from ..engine import Engine
from ..presentation import shorten
from . import sync_state
from .holder import EngineHolder
from .invite import invite_url
from .limits import STATUS
from .questions import QuestionDesk
from .shutdown import SHUTDOWN_SECONDS
from .sync_state import SyncReport
from .tree import StoryTree

log = logging.getLogger(__name__)

# Loaded in this order by `setup_hook`: the insights log first, so the first answer is logged.
FEATURES = ("insights_log", "answers", "buttons", "help", "operators", "forums")


def intents(message_content: bool = False) -> discord.Intents:
    wanted = discord.Intents.none()
    wanted.guilds = True  # also brings thread events (a new forum post)
    wanted.guild_messages = True
    wanted.dm_messages = True
    wanted.message_content = message_content  # privileged: only when the operator enabled it
    return wanted


def _activity(status_text: str) -> discord.CustomActivity | None:
    return discord.CustomActivity(name=shorten(status_text, STATUS)) if status_text else None


class StoryBot(commands.Bot):
    def __init__(
        self, config_path: str | Path | None, config: Config, engine: Engine | None = None, **client_options: object
    ) -> None:
        super().__init__(
            # Prefix commands are not used (they would need the message-content intent);
            # the answers feature listens for DMs and mentions instead.
            command_prefix=commands.when_mentioned,
            help_command=None,
            intents=intents(config.discord.message_content_intent),
            allowed_mentions=discord.AllowedMentions.none(),
            tree_cls=StoryTree,
            activity=_activity(config.discord.status_text),
            **client_options,
        )
        self.config_path = config_path
        self.holder = EngineHolder(config_path, engine, settings=config.discord)
        self.desk = QuestionDesk(self.holder)
        self._status_text = config.discord.status_text
        self.holder.on_swap.append(self._status_may_change)
        self.force_sync = False  # `python -m bot sync`: sync even if unchanged (and even if sync_commands is off)
        self.last_sync: SyncReport | None = None
        # Features holding accepted work add how to count what is not yet saved (the insights log).
        self.unwritten: list[Callable[[], int]] = []
        self._stop_by: float | None = None  # the deadline of a stop in progress (monotonic)

    @property
    def settings(self) -> DiscordConfig:
        """The Discord settings in force: read from the holder, the one place."""
        return self.holder.settings

    async def setup_hook(self) -> None:
        engine = await self.holder.load()
        log.info("index ready: %d document(s), %d passages", engine.documents, engine.passages)
        for feature in FEATURES:
            await self.load_extension(f"{__package__}.{feature}")
        if self.application_id is not None:
            log.info("invite link: %s", invite_url(self.application_id))
        if self.force_sync or (self.settings.sync_commands and self.syncs_commands):
            await self.sync_commands(force=self.force_sync)

    @property
    def syncs_commands(self) -> bool:
        """Commands belong to the application, not to a shard: of several processes, the one
        running shard 0 syncs them (an unsharded bot is shard 0)."""
        ids = self.settings.shard_ids
        return not ids or 0 in ids

    async def sync_commands(self, force: bool = False) -> SyncReport:
        """Sync the tree where it changed since the last sync (`force`: everywhere)."""
        assert self.application_id is not None  # known once logged in
        self.last_sync = await sync_state.sync_commands(
            self.tree,
            self.application_id,
            self.settings.dev_guild_ids,
            sync_state.state_for(self.holder.engine.config.cache_dir),
            force=force,
        )
        return self.last_sync

    async def close(self) -> None:
        await self.shut_down(SHUTDOWN_SECONDS)

    async def shut_down(self, seconds: float) -> int:
        """Stop taking questions, then close the features (the insights log commits what it
        accepted, off the event loop), all within `seconds`. Returns how many accepted
        records are not committed (0 after a clean stop)."""
        self._stop_by = time.monotonic() + seconds
        try:
            # discord.Client's close first (the gateway connections, then HTTP): BotBase.close
            # unloads the features before it, so questions would keep arriving while the log commits.
            await asyncio.wait_for(super(commands.bot.BotBase, self).close(), timeout=seconds)
        except TimeoutError:
            log.warning("the Discord connection did not close within %.0f s", seconds)
        try:
            await asyncio.wait_for(super().close(), timeout=max(self.seconds_left(), 0.1))  # the features
        except TimeoutError:
            log.warning("the features did not close within %.0f s", seconds)
        return sum(count() for count in self.unwritten)

    def seconds_left(self, default: float = 10.0) -> float:
        """Time left before a stop's deadline, for the features' cleanup (`default` when not stopping)."""
        if self._stop_by is None:
            return default
        return max(self._stop_by - time.monotonic(), 0.0)

    def _status_may_change(self, engine: Engine) -> None:
        """A /reload applies a changed discord.status_text."""
        text = self.holder.settings.status_text  # already the new engine's
        if text == self._status_text or not self.is_ready():
            return
        self._status_text = text
        asyncio.get_running_loop().create_task(self.change_presence(activity=_activity(text)))

    async def on_ready(self) -> None:
        log.info("connected as %s (id %s) to %d server(s)", self.user, self.user.id if self.user else "?", len(self.guilds))

    async def on_message(self, message: discord.Message) -> None:
        """No prefix commands: the answers feature's listener handles DMs and mentions."""

    async def on_error(self, event_method: str, /, *args: object, **kwargs: object) -> None:
        log.exception("unhandled error in %s", event_method)


class ShardedStoryBot(StoryBot, commands.AutoShardedBot):
    """The same bot over several shards in one process (`discord.shard_count`/`shard_ids`):
    discord.py's AutoShardedBot opens one gateway connection per shard."""


def create_bot(config_path: str | Path | None = "config.yaml", *, engine: Engine | None = None) -> StoryBot:
    """A bot ready to start, not connected. Reads the config now (so a broken file
    fails here, naming file and key); the corpus loads in `setup_hook` unless an
    already loaded `engine` is given. Sharded when `discord.shard_count` is set."""
    config = engine.config if engine is not None else load_config(config_path)
    settings = config.discord
    if settings.shard_count is None:
        return StoryBot(config_path, config, engine)
    return ShardedStoryBot(
        config_path, config, engine, shard_count=settings.shard_count, shard_ids=list(settings.shard_ids) if settings.shard_ids else None
    )
