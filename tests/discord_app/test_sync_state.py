"""Slash commands are synced only when their definition changed (per application and scope), and
`python -m bot sync` forces it. Counted as Discord sees it: the bulk-overwrite PUTs SimCord received."""

from __future__ import annotations

import shutil
from pathlib import Path

import discord
import pytest
import simcord
import yaml
from simcord import OptionError

from bot import create_bot
from bot.discord_app import runner
from bot.discord_app.sync_state import STATE_FILE

from ..conftest import STORY

MENG = "When was Meng Wanzhou arrested?"


def _bot_dir(tmp_path: Path, **discord_settings: object) -> Path:
    (tmp_path / "corpus").mkdir(exist_ok=True)
    shutil.copy(STORY, tmp_path / "corpus" / STORY.name)
    config = {"corpus": {"path": "corpus"}, "discord": dict(discord_settings)}
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def _syncs(env: simcord.Env) -> list[str]:
    return [r.path for r in env.http_requests if r.method == "PUT" and r.path.endswith("/commands")]


async def _restart(env: simcord.Env, config: Path, *, force: bool = False):
    await env.bot.unload_extension("bot.discord_app.insights_log")  # the old process's log, as its close would
    bot = create_bot(config)
    bot.force_sync = force
    await env.restart_bot(bot)
    return bot


async def test_commands_sync_on_the_first_start_then_only_when_they_change(tmp_path):
    config = _bot_dir(tmp_path)
    env = simcord.Env(create_bot(config), approved_intents=discord.Intents.default())
    user = env.create_user("reader")
    await env.start()
    try:
        guild = env.create_guild("Newsroom")
        channel = guild.create_text_channel("general")
        member = guild.add_member(user)
        assert len(_syncs(env)) == 1
        assert (tmp_path / ".cache" / STATE_FILE).exists()

        await _restart(env, config)  # same tree: no sync, and /ask still works (strict sync is on)
        assert len(_syncs(env)) == 1
        result = await member.slash(channel, "ask", question=MENG)
        assert result.response.embeds[0].footer.text.startswith("¶5")

        config.write_text(yaml.safe_dump({"corpus": {"path": "corpus"}, "discord": {"max_question_length": 40}}), encoding="utf-8")
        await _restart(env, config)  # the /ask option changed: synced again, and Discord enforces the new limit
        assert len(_syncs(env)) == 2
        with pytest.raises(OptionError, match="at most 40 characters"):
            await member.slash(channel, "ask", question="x" * 41)

        await _restart(env, config, force=True)  # what `python -m bot sync` does
        assert len(_syncs(env)) == 3
    finally:
        await env.shutdown()


async def test_each_dev_guild_is_its_own_scope(tmp_path):
    guild_id = 1300000000000000001
    config = _bot_dir(tmp_path, dev_guild_ids=[guild_id])
    env = simcord.Env(create_bot(config), approved_intents=discord.Intents.default())
    await env.start()
    try:
        env.create_guild("Dev", id=guild_id)
        assert _syncs(env) == [f"/applications/{env.bot.application_id}/guilds/{guild_id}/commands"]
        await _restart(env, config)
        assert len(_syncs(env)) == 1
        config.write_text(yaml.safe_dump({"corpus": {"path": "corpus"}}), encoding="utf-8")
        await _restart(env, config)  # now global: that scope was never synced
        assert _syncs(env)[-1] == f"/applications/{env.bot.application_id}/commands"
    finally:
        await env.shutdown()


async def test_a_refused_sync_is_not_remembered(tmp_path, caplog):
    config = _bot_dir(tmp_path)
    env = simcord.Env(create_bot(config), approved_intents=discord.Intents.default(), strict_sync=False)
    env.inject_error("PUT", "/applications/*/commands", status=500, times=1)
    await env.start()
    try:
        assert "could not sync slash commands: 500" in caplog.text
        assert not (tmp_path / ".cache" / STATE_FILE).exists()
        await _restart(env, config)  # the next start tries again
        assert len(_syncs(env)) == 2
        assert (tmp_path / ".cache" / STATE_FILE).exists()
    finally:
        await env.shutdown()


def _simulated(errors: list[tuple[str, str, int]] | None = None):
    """`runner.sync`'s connection: SimCord's Discord, which logs the bot in (running setup_hook)."""
    seen: list[simcord.Env] = []

    async def log_in(bot, token):
        env = simcord.Env(bot, approved_intents=discord.Intents.default(), strict_sync=False)
        for method, path, status in errors or ():
            env.inject_error(method, path, status=status, times=1)
        seen.append(env)
        await env.start()
        await env.shutdown()

    return log_in, seen


def test_sync_command_syncs_even_when_unchanged_and_reports_it(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DISCORD_TOKEN", "simcord.fake.token")
    config = _bot_dir(tmp_path, sync_commands=False)  # `sync` syncs even when start-up sync is off
    for _ in range(2):
        log_in, seen = _simulated()
        assert runner.sync(str(config), connect=log_in) == 0
        assert len(_syncs(seen[0])) == 1
    assert capsys.readouterr().out.splitlines() == ["global: 6 command(s) synced"] * 2


def test_sync_command_refused_by_discord_is_one_line_and_exit_1(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DISCORD_TOKEN", "simcord.fake.token")
    config = _bot_dir(tmp_path)
    log_in, _ = _simulated([("PUT", "/applications/*/commands", 403)])
    assert runner.sync(str(config), connect=log_in) == 1
    captured = capsys.readouterr()
    assert captured.err.startswith("error: Discord refused the command sync: global: 403")
    assert len(captured.err.strip().splitlines()) == 1 and captured.out == ""
