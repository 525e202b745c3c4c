"""Sharding: `discord.shard_count`/`shard_ids` (or SHARD_COUNT/SHARD_IDS) make the bot discord.py's
AutoShardedBot over those shards; without them it stays one unsharded client. SimCord simulates the
shards of one process (guilds are routed to the shard their id belongs to: (id >> 22) % count)."""

from __future__ import annotations

import shutil
from pathlib import Path

import discord
import pytest
import simcord
import yaml
from discord.ext import commands

from bot import create_bot
from bot.config import ConfigError, load_config

from ..conftest import STORY

MENG = "When was Meng Wanzhou arrested?"


@pytest.fixture(autouse=True)
def no_shard_variables(monkeypatch):
    monkeypatch.delenv("SHARD_COUNT", raising=False)
    monkeypatch.delenv("SHARD_IDS", raising=False)


def _config(tmp_path: Path, **discord_settings: object) -> Path:
    (tmp_path / "corpus").mkdir(exist_ok=True)
    shutil.copy(STORY, tmp_path / "corpus" / STORY.name)
    path = tmp_path / "config.yaml"
    settings = {"cooldown_questions": 100, **discord_settings}
    path.write_text(yaml.safe_dump({"corpus": {"path": "corpus"}, "discord": settings}), encoding="utf-8")
    return path


def test_by_default_the_bot_is_one_unsharded_client(tmp_path):
    bot = create_bot(_config(tmp_path))
    assert isinstance(bot, commands.Bot) and not isinstance(bot, discord.AutoShardedClient)
    assert bot.shard_count is None


def test_shard_settings_make_an_auto_sharded_bot_over_those_shards(tmp_path):
    bot = create_bot(_config(tmp_path, shard_count=8, shard_ids=[4, 5, 6, 7]))
    assert isinstance(bot, commands.AutoShardedBot)
    assert (bot.shard_count, bot.shard_ids) == (8, [4, 5, 6, 7])
    every = create_bot(_config(tmp_path, shard_count=2))  # no ids: all the shards, in this process
    assert isinstance(every, commands.AutoShardedBot) and (every.shard_count, every.shard_ids) == (2, None)


def test_the_environment_overrides_the_shard_settings(tmp_path, monkeypatch):
    config = _config(tmp_path, shard_count=8, shard_ids=[0, 1])
    monkeypatch.setenv("SHARD_COUNT", "2")
    monkeypatch.setenv("SHARD_IDS", "1")
    bot = create_bot(config)
    assert isinstance(bot, commands.AutoShardedBot) and (bot.shard_count, bot.shard_ids) == (2, [1])
    monkeypatch.setenv("SHARD_COUNT", "8")
    monkeypatch.setenv("SHARD_IDS", "4-7")
    assert create_bot(config).shard_ids == [4, 5, 6, 7]


@pytest.mark.parametrize(
    ("settings", "environment", "named"),
    [
        ({"shard_ids": [0]}, {}, ["'discord.shard_ids'", "'discord.shard_count'"]),
        ({"shard_count": 2, "shard_ids": [2]}, {}, ["'discord.shard_ids'", "2"]),
        ({"shard_count": 0}, {}, ["'discord.shard_count'"]),
        ({}, {"SHARD_COUNT": "two"}, ["SHARD_COUNT", "two"]),
        ({}, {"SHARD_COUNT": "2", "SHARD_IDS": "0-"}, ["SHARD_IDS", "0-"]),
        ({}, {"SHARD_COUNT": "2", "SHARD_IDS": "0,5"}, ["SHARD_IDS", "5"]),
        ({}, {"SHARD_IDS": "1"}, ["SHARD_IDS", "'discord.shard_count'"]),
    ],
)
def test_wrong_shard_settings_are_refused_naming_the_key_or_variable(tmp_path, settings, environment, named):
    with pytest.raises(ConfigError) as refused:
        load_config(_config(tmp_path, **settings), environ=environment)
    for name in named:
        assert name in str(refused.value)


async def _sharded_world(config: Path, **env_options: object):
    bot = create_bot(config)
    env = simcord.Env(bot, approved_intents=discord.Intents.default(), **env_options)
    user = env.create_user("reader")
    await env.start()
    return env, bot, user


async def test_a_sharded_bot_answers_ask_in_servers_on_each_of_its_shards(tmp_path):
    env, bot, user = await _sharded_world(_config(tmp_path, shard_count=2))
    try:
        for shard in (0, 1):
            guild = env.create_guild(f"Newsroom {shard}", shard_id=shard)
            channel = guild.create_text_channel("general")
            member = guild.add_member(user)
            assert bot.get_guild(guild.id).shard_id == shard
            result = await member.slash(channel, "ask", question=MENG)
            assert result.response.embeds[0].footer.text.startswith("¶5")
        assert sorted(bot.shards) == [0, 1]
    finally:
        await env.shutdown()


async def test_the_process_without_shard_0_leaves_command_sync_to_the_one_with_it(tmp_path):
    env, bot, user = await _sharded_world(_config(tmp_path, shard_count=2, shard_ids=[1]), strict_sync=False)
    try:
        assert sorted(bot.shards) == [1]
        assert not [r for r in env.http_requests if r.method == "PUT" and r.path.endswith("/commands")]
        guild = env.create_guild("Newsroom", shard_id=1)
        channel = guild.create_text_channel("general")
        member = guild.add_member(user)
        await member.send(channel, f"{bot.user.mention} {MENG}")  # a mention, answered by this process
        assert channel.last_message.embeds[0].footer.text.startswith("¶5")
    finally:
        await env.shutdown()
    env, bot, _ = await _sharded_world(_config(tmp_path, shard_count=2, shard_ids=[0]))
    try:
        assert [r for r in env.http_requests if r.method == "PUT" and r.path.endswith("/commands")]
    finally:
        await env.shutdown()
