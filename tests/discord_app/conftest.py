"""A running bot against SimCord's simulated Discord, on a private copy of the story.

Users are created before the bot starts so the operator's id can be written into
`discord.admin_user_ids`, as an operator would do by hand.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Awaitable, Callable

import discord
import pytest_asyncio
import simcord
import yaml

from bot import create_bot
from bot.discord_app.client import StoryBot
from bot.discord_app.insights_log._cog import COG, InsightsLog

from ..conftest import STORY


@dataclass
class World:
    env: simcord.Env
    bot: StoryBot
    config_path: Path
    corpus: Path
    guild: simcord.GuildHandle
    channel: simcord.ChannelHandle
    alice: simcord.MemberActor  # a regular member
    bob: simcord.MemberActor  # another regular member
    admin: simcord.MemberActor  # a server administrator who is not an operator
    operator: simcord.MemberActor  # listed in discord.admin_user_ids, not a server admin

    checked: int = 0  # errors up to here were inspected by the test

    def take_errors(self) -> tuple[BaseException, ...]:
        """What the bot raised into discord.py's handlers since the last look (a test that provokes one checks it here)."""
        errors = self.env.errors_since(self.checked)
        self.checked = self.env.error_cursor
        return errors

    @property
    def insights(self) -> InsightsLog:
        """The bot's insights log feature (its recorder and store)."""
        cog = self.bot.get_cog(COG)
        assert cog is not None, "the insights_log feature is not loaded"
        return cog  # type: ignore[return-value]

    async def close_insights(self) -> None:
        """What closing the bot does to its log on a real shutdown: commit everything queued."""
        await self.bot.unload_extension("bot.discord_app.insights_log")

    def write_config(self, settings: dict[str, Any]) -> None:
        self.config_path.write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        out[key] = _merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


MakeWorld = Callable[..., Awaitable[World]]


@pytest_asyncio.fixture
async def make_world(tmp_path: Path):
    """`await make_world(settings={...}, files={...})` starts a bot on a tmp corpus holding the story."""
    envs: list[tuple[simcord.Env, World]] = []

    async def make(settings: dict[str, Any] | None = None, files: dict[str, str] | None = None, story: bool = True) -> World:
        corpus = tmp_path / "corpus"
        corpus.mkdir()
        if story:
            shutil.copy(STORY, corpus / STORY.name)
        for name, text in (files or {}).items():
            (corpus / name).write_text(text, encoding="utf-8")
        config_path = tmp_path / "config.yaml"
        base = {"corpus": {"path": "corpus"}, "discord": {"cooldown_questions": 100, "cooldown_seconds": 60}}
        config = _merge(base, settings or {})
        config_path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")

        bot = create_bot(config_path)
        # Approve only the non-privileged intents: the bot must work without message content.
        env = simcord.Env(bot, approved_intents=discord.Intents.default())
        users = {name: env.create_user(name) for name in ("alice", "bob", "admin", "operator")}
        config["discord"] = _merge(config["discord"], {"admin_user_ids": [users["operator"].id]})
        config_path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
        await env.start()
        guild = env.create_guild("Newsroom")
        channel = guild.create_text_channel("general")
        admins = guild.create_role("Admins", permissions=discord.Permissions(administrator=True))
        members = {
            "alice": guild.add_member(users["alice"]),
            "bob": guild.add_member(users["bob"]),
            "admin": guild.add_member(users["admin"], roles=[admins]),
            "operator": guild.add_member(users["operator"]),
        }
        world = World(env, bot, config_path, corpus, guild, channel, **members)
        envs.append((env, world))
        return world

    yield make
    for env, world in envs:
        await env.shutdown()
        unexpected = world.take_errors()
        if unexpected:  # any exception the bot let escape fails the test
            raise ExceptionGroup("the bot raised", list(unexpected))


def story_paragraphs() -> list[str]:
    """The story's paragraphs, read straight from the file (independently of the engine)."""
    text = STORY.read_text(encoding="utf-8")
    body = text.split("---", 2)[2]
    return [" ".join(p.split()) for p in re.split(r"\n\s*\n", body) if p.strip()]


def plain(markdown: str) -> str:
    """The words of a quote embed: no quote markers, bold or backslash escapes."""
    lines = [line[2:] if line.startswith("> ") else line for line in markdown.splitlines()]
    text = "\n".join(lines).replace("**", "")
    return re.sub(r"\\(.)", r"\1", text)
