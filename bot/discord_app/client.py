"""The Discord client: a `commands.Bot` that loads the engine on start-up, registers
the slash commands, syncs them, and routes DMs and mentions to the question desk.

No privileged intents: the bot needs guilds (for channels) and messages (for DMs
and mentions, whose text Discord sends without the message-content intent).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from pathlib import Path

import discord
from discord.ext import commands

from ..config import Config, DiscordConfig, load_config
from ..engine import Engine
from ..presentation import shorten
from . import insights_commands, messages, sync_state
from .commands import StoryTree, add_commands
from .holder import EngineHolder
from .invite import invite_url
from .questions import QuestionDesk
from .shutdown import SHUTDOWN_SECONDS
from .sync_state import SyncReport

log = logging.getLogger(__name__)


def intents() -> discord.Intents:
    wanted = discord.Intents.none()
    wanted.guilds = True
    wanted.guild_messages = True
    wanted.dm_messages = True
    return wanted


class StoryBot(commands.Bot):
    def __init__(
        self, config_path: str | Path | None, config: Config, engine: Engine | None = None, **client_options: object
    ) -> None:
        super().__init__(
            # Prefix commands are not used (they would need the message-content intent);
            # on_message below handles DMs and mentions instead.
            command_prefix=commands.when_mentioned,
            help_command=None,
            intents=intents(),
            allowed_mentions=discord.AllowedMentions.none(),
            tree_cls=StoryTree,
            activity=discord.CustomActivity(name=shorten(config.discord.status_text, 128)) if config.discord.status_text else None,
            **client_options,
        )
        self.config_path = config_path
        # Start-up settings (command sync, the /ask length limit). Settings read per
        # question come from `holder.engine.config`, so /reload updates them.
        self.settings: DiscordConfig = config.discord
        self.holder = EngineHolder(config_path, engine)
        self.desk = QuestionDesk(self.holder)
        self.holder.on_swap.append(self._status_may_change)
        self.force_sync = False  # `python -m bot sync`: sync even if unchanged (and even if sync_commands is off)
        self.last_sync: SyncReport | None = None

    async def setup_hook(self) -> None:
        engine = await self.holder.load()
        log.info("index ready: %d document(s), %d passages", engine.documents, engine.passages)
        add_commands(self)
        await insights_commands.setup(self)  # answer buttons, /stats, context menu, autocomplete, the log
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
        """Close the gateway first (no new questions), then commit the queued insights log
        off the event loop, all within `seconds`. Returns how many accepted records are
        not committed (0 after a clean stop)."""
        deadline = time.monotonic() + seconds
        try:
            await asyncio.wait_for(super().close(), timeout=seconds)
        except TimeoutError:
            log.warning("the Discord connection did not close within %.0f s", seconds)
        remaining = max(deadline - time.monotonic(), 0.1)
        return await asyncio.to_thread(insights_commands.teardown, self, remaining)

    def _status_may_change(self, engine: Engine) -> None:
        """A /reload applies a changed discord.status_text."""
        text = engine.config.discord.status_text
        if text == self.settings.status_text or not self.is_ready():
            return
        self.settings = dataclasses.replace(self.settings, status_text=text)
        activity = discord.CustomActivity(name=shorten(text, 128)) if text else None
        asyncio.get_running_loop().create_task(self.change_presence(activity=activity))

    async def on_ready(self) -> None:
        log.info("connected as %s (id %s) to %d server(s)", self.user, self.user.id if self.user else "?", len(self.guilds))

    async def on_message(self, message: discord.Message) -> None:
        try:
            await messages.on_message(self, message)
        except Exception:
            log.exception("failed to handle a message")

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
        config_path, config, engine, shard_count=settings.shard_count, shard_ids=list(settings.shard_ids) or None
    )
