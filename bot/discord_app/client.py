"""The Discord client: a `commands.Bot` that loads the engine on start-up, loads each
feature by name, syncs the slash commands, and closes the features on the way out.

Each feature is an extension package (answers, buttons, help, operators, insights_log)
whose `setup(bot)` adds its Cog; the Cog holds the feature's state. This module imports
none of them, so the layer's import graph has no circle (tests/discord_app/test_layout.py).

No privileged intents: the bot needs guilds (for channels) and messages (for DMs
and mentions, whose text Discord sends without the message-content intent).
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import discord
from discord.ext import commands

from ..config import Config, DiscordConfig, load_config
from ..engine import Engine
from ..presentation import shorten
from .holder import EngineHolder
from .limits import STATUS
from .questions import QuestionDesk
from .tree import StoryTree

log = logging.getLogger(__name__)

# Loaded in this order by `setup_hook`: the insights log first, so the first answer is logged.
FEATURES = ("insights_log", "answers", "buttons", "help", "operators")


def intents() -> discord.Intents:
    wanted = discord.Intents.none()
    wanted.guilds = True
    wanted.guild_messages = True
    wanted.dm_messages = True
    return wanted


def _activity(status_text: str) -> discord.CustomActivity | None:
    return discord.CustomActivity(name=shorten(status_text, STATUS)) if status_text else None


class StoryBot(commands.Bot):
    def __init__(self, config_path: str | Path | None, config: Config, engine: Engine | None = None) -> None:
        super().__init__(
            # Prefix commands are not used (they would need the message-content intent);
            # the answers feature listens for DMs and mentions instead.
            command_prefix=commands.when_mentioned,
            help_command=None,
            intents=intents(),
            allowed_mentions=discord.AllowedMentions.none(),
            tree_cls=StoryTree,
            activity=_activity(config.discord.status_text),
        )
        self.config_path = config_path
        self.holder = EngineHolder(config_path, engine, settings=config.discord)
        self.desk = QuestionDesk(self.holder)
        self._status_text = config.discord.status_text
        self.holder.on_swap.append(self._status_may_change)

    @property
    def settings(self) -> DiscordConfig:
        """The Discord settings in force: read from the holder, the one place."""
        return self.holder.settings

    async def setup_hook(self) -> None:
        engine = await self.holder.load()
        log.info("index ready: %d document(s), %d passages", engine.documents, engine.passages)
        for feature in FEATURES:
            await self.load_extension(f"{__package__}.{feature}")
        if self.settings.sync_commands:
            await self.sync_commands()

    async def sync_commands(self) -> None:
        """Global sync (can take a while to show everywhere), or instant sync to the dev guilds."""
        try:
            if self.settings.dev_guild_ids:
                for guild_id in self.settings.dev_guild_ids:
                    guild = discord.Object(guild_id)
                    self.tree.copy_global_to(guild=guild)
                    synced = await self.tree.sync(guild=guild)
                    log.info("synced %d command(s) to guild %s", len(synced), guild_id)
            else:
                synced = await self.tree.sync()
                log.info("synced %d global command(s)", len(synced))
        except discord.HTTPException as exc:
            # Commands synced earlier keep working; DMs and mentions do not need them.
            log.error("could not sync slash commands: %s %s", exc.status, exc.text)

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


def create_bot(config_path: str | Path | None = "config.yaml", *, engine: Engine | None = None) -> StoryBot:
    """A bot ready to start, not connected. Reads the config now (so a broken file
    fails here, naming file and key); the corpus loads in `setup_hook` unless an
    already loaded `engine` is given."""
    config = engine.config if engine is not None else load_config(config_path)
    return StoryBot(config_path, config, engine)
