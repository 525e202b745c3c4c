"""Abuse and secrets: operator commands checked in the handler, the token never logged or
echoed, and question length capped before the engine sees it."""

from __future__ import annotations

import logging
from pathlib import Path

import aiohttp
import discord
import pytest
import simcord

from bot.discord_app import runner
from bot.engine import Engine

from ..conftest import STORY
from .test_failures import GOOD, still_answers

TOKEN = "MTE5OTk5OTk5OTk5OTk5OTk5.GfAkEt.this-is-a-fake-token-for-tests-only"


class _Refusal:
    """What Discord's REST API answers to a bad token: 401 with a JSON body."""

    status = 401
    reason = "Unauthorized"
    headers = {"content-type": "application/json"}

    async def text(self, encoding: str = "utf-8") -> str:
        return '{"message": "401: Unauthorized", "code": 0}'

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc) -> None:
        return None


def _config(tmp_path: Path, level: str = "DEBUG") -> Path:
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / STORY.name).write_text(STORY.read_text(encoding="utf-8"), encoding="utf-8")
    config = tmp_path / "config.yaml"
    config.write_text(f"corpus:\n  path: corpus\nlogging:\n  level: {level}\n", encoding="utf-8")
    return config


def test_a_refused_token_is_never_logged_or_printed(tmp_path, monkeypatch, caplog, capsys):
    """discord.py's own login runs (with its DEBUG logging); only the network answer is faked."""
    requests: list[dict] = []

    def fake_request(self, method, url, **kwargs):
        requests.append({"method": method, "url": str(url), "headers": dict(kwargs.get("headers") or {})})
        return _Refusal()

    monkeypatch.setattr(aiohttp.ClientSession, "request", fake_request)
    monkeypatch.setenv("DISCORD_TOKEN", f"  {TOKEN}\n")  # pasted with stray whitespace
    caplog.set_level(logging.DEBUG)

    assert runner.run(str(_config(tmp_path))) == 1
    out, err = capsys.readouterr()
    assert requests and requests[0]["url"].endswith("/users/@me")
    assert requests[0]["headers"].get("Authorization") == f"Bot {TOKEN}"  # the token was really used ...
    logged = caplog.text + "".join(str(r.args) for r in caplog.records)
    for piece in (TOKEN, TOKEN.split(".")[0], TOKEN.split(".")[2]):
        assert piece not in logged and piece not in out + err  # ... and never shown
    assert "GET" in caplog.text  # discord.py's DEBUG request log did run
    assert err.strip().splitlines() == [err.strip()] and "DISCORD_TOKEN" in err and "Traceback" not in err


def test_an_unreachable_discord_is_one_line_without_the_token(tmp_path, monkeypatch, caplog, capsys):
    def unreachable(self, method, url, **kwargs):
        raise aiohttp.ClientConnectionError("Cannot connect to host discord.com:443")

    monkeypatch.setattr(aiohttp.ClientSession, "request", unreachable)
    monkeypatch.setenv("DISCORD_TOKEN", TOKEN)
    caplog.set_level(logging.DEBUG)
    assert runner.run(str(_config(tmp_path))) == 1
    out, err = capsys.readouterr()
    assert "cannot reach Discord" in err and len(err.strip().splitlines()) == 1
    assert TOKEN not in caplog.text + out + err


def test_the_token_is_not_read_from_the_config_even_at_debug(tmp_path, monkeypatch, capsys):
    config = _config(tmp_path)
    config.write_text(config.read_text(encoding="utf-8") + f"token: {TOKEN}\n", encoding="utf-8")
    monkeypatch.setenv("DISCORD_TOKEN", "other")
    monkeypatch.setattr(discord.Client, "run", lambda *a, **k: pytest.fail("must not connect"))
    assert runner.run(str(config)) == 1
    out, err = capsys.readouterr()
    assert "set the DISCORD_TOKEN environment variable instead" in err and TOKEN not in out + err


# --- operator commands --------------------------------------------------------------------------


async def test_reload_granted_to_everyone_by_a_server_admin_is_still_refused(make_world):
    """Server admins can override a command's default permissions for @everyone; the handler
    still checks who is asking, so a regular member cannot reload."""
    world = await make_world()
    engine = world.bot.holder.engine
    command = world.env.backend.find_command("reload", world.guild.id)
    assert "reload" not in world.alice.available_commands(world.channel)
    world.guild.set_command_permissions(int(command["id"]), {world.guild.default_role: True})
    assert "reload" in world.alice.available_commands(world.channel)  # now visible to everyone ...

    (world.corpus / "halifax.md").write_text(GOOD, encoding="utf-8")
    result = await world.alice.slash(world.channel, "reload")  # ... but still refused
    assert result.ephemeral and "only the bot's operators" in result.response.content
    assert world.bot.holder.engine is engine
    await still_answers(world)


async def test_team_members_of_the_application_are_operators(make_world):
    world = await make_world()
    world.bot.owner_ids = {world.bob.id}  # as discord.py records a team-owned application
    result = await world.bob.slash(world.channel, "ask", question="When was Meng Wanzhou arrested?")
    assert result.response.embeds
    (world.corpus / "halifax.md").write_text(GOOD, encoding="utf-8")
    reloaded = await world.bob.user.slash("reload")
    assert "Documents: 1 → 2" in reloaded.response.content
    refused = await world.alice.user.slash("reload")
    assert "only the bot's operators" in refused.response.content


async def test_an_operator_removed_from_the_config_loses_reload_after_the_reload(make_world):
    world = await make_world()
    world.write_config({"corpus": {"path": "corpus"}, "discord": {"admin_user_ids": [world.bob.id]}})
    first = await world.operator.user.slash("reload")
    assert first.response.content.startswith("Reloaded in")
    second = await world.operator.user.slash("reload")
    assert "only the bot's operators" in second.response.content
    third = await world.bob.user.slash("reload")
    assert third.response.content.startswith("Reloaded in")


async def test_if_the_owner_lookup_fails_nobody_unlisted_may_reload(make_world, caplog):
    world = await make_world()
    engine = world.bot.holder.engine
    world.env.inject_error("GET", "/oauth2/applications/@me", status=500, times=None)
    result = await world.admin.slash(world.channel, "reload")
    assert "only the bot's operators" in result.response.content
    assert world.bot.holder.engine is engine
    assert "could not fetch the application's owner" in caplog.text
    listed = await world.operator.user.slash("reload")  # listed operators do not need the lookup
    assert listed.response.content.startswith("Reloaded in")


# --- resource limits ------------------------------------------------------------------------------


async def test_questions_are_capped_before_the_engine_sees_them(make_world, monkeypatch):
    world = await make_world()
    seen: list[int] = []
    real_ask = Engine.ask

    def ask(self, question, top=None, documents=None):
        seen.append(len(question))
        return real_ask(self, question, top, documents)

    monkeypatch.setattr(Engine, "ask", ask)
    limit = world.bot.settings.max_question_length
    await world.alice.user.send_dm("Who is Meng Wanzhou? " * 95)  # ~2,000 characters
    await world.alice.send(world.channel, f"{world.bot.user.mention} " + "a'" * 980)
    assert len(seen) == 2 and max(seen) <= limit
    with pytest.raises(simcord.OptionError, match=f"at most {limit} characters"):  # Discord refuses it
        await world.alice.slash(world.channel, "ask", question="x" * (limit + 1))
    assert len(seen) == 2
