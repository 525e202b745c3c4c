"""The invite link: the scopes, and exactly the permissions the bot needs (read back from the URL)."""

from __future__ import annotations

import os
import subprocess
import sys
from urllib.parse import parse_qs, urlsplit

import discord

from bot.discord_app.invite import invite_url

from ..conftest import ROOT

APP_ID = 1456074443980800001

# What the bot does in a channel outside interactions (answering a mention): see the channel, post
# there and in threads, post an embed, reply to the member's message (needs the history).
INTENDED = discord.Permissions(
    view_channel=True,
    send_messages=True,
    send_messages_in_threads=True,
    embed_links=True,
    read_message_history=True,
)


def _query(url: str) -> dict[str, list[str]]:
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "discord.com", "/oauth2/authorize")
    return parse_qs(parts.query)


def test_the_url_asks_for_both_scopes_and_exactly_the_intended_permissions():
    query = _query(invite_url(APP_ID))
    assert query["client_id"] == [str(APP_ID)]
    assert set(query["scope"][0].split()) == {"bot", "applications.commands"}
    granted = discord.Permissions(int(query["permissions"][0]))
    assert granted == INTENDED
    # Nothing that could ping everyone, moderate or administer.
    assert not (granted.administrator or granted.mention_everyone or granted.manage_messages or granted.manage_guild)


def _invite(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("DISCORD_TOKEN", "DISCORD_APPLICATION_ID")}
    return subprocess.run(
        [sys.executable, "-m", "bot", "invite", *args],
        capture_output=True, text=True, cwd=str(ROOT), env={**clean, **env}, timeout=60,
    )


def test_invite_prints_the_url_for_the_given_application_id():
    done = _invite("--app-id", str(APP_ID))
    assert done.returncode == 0, done.stderr
    (line,) = done.stdout.splitlines()
    assert discord.Permissions(int(_query(line)["permissions"][0])) == INTENDED
    assert _query(line)["client_id"] == [str(APP_ID)]
    assert "Send Messages" in done.stderr and "applications.commands" in done.stderr


def test_invite_without_an_id_or_token_says_what_to_set_and_exits_2():
    done = _invite()
    assert done.returncode == 2 and done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1
    assert "--app-id" in done.stderr and "DISCORD_APPLICATION_ID" in done.stderr and "Traceback" not in done.stderr


def _invite_here(monkeypatch, capsys, *args: str, **env: str) -> tuple[int, str, str]:
    """The same command in this process (cheaper than a subprocess, for the cases in between)."""
    from bot import cli

    for name in ("DISCORD_TOKEN", "DISCORD_APPLICATION_ID"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    status = cli.main(["invite", *args])
    out, err = capsys.readouterr()
    return status, out, err


def test_invite_takes_the_id_from_the_environment_and_the_option_wins(monkeypatch, capsys):
    status, out, _ = _invite_here(monkeypatch, capsys, DISCORD_APPLICATION_ID=str(APP_ID))
    assert status == 0 and _query(out.strip())["client_id"] == [str(APP_ID)]
    status, out, _ = _invite_here(monkeypatch, capsys, "--app-id", "123456789012345678", DISCORD_APPLICATION_ID=str(APP_ID))
    assert status == 0 and _query(out.strip())["client_id"] == ["123456789012345678"]


def test_a_malformed_application_id_is_named_and_exits_2(monkeypatch, capsys):
    status, out, err = _invite_here(monkeypatch, capsys, DISCORD_APPLICATION_ID="my-bot")
    assert status == 2 and out == ""
    assert "DISCORD_APPLICATION_ID" in err and "'my-bot'" in err
    assert len(err.strip().splitlines()) == 1


def test_invite_with_a_token_and_no_network_is_one_line_without_the_token(monkeypatch, capsys):
    secret = "MTIz.fake-token.never-shown"
    # Offline the lookup fails ("cannot reach Discord"); online Discord refuses the fake token: one line either way.
    status, out, err = _invite_here(monkeypatch, capsys, DISCORD_TOKEN=secret)
    assert status == 1
    assert len(err.strip().splitlines()) == 1 and "Discord" in err
    assert secret not in out + err and "Traceback" not in err


async def test_run_logs_the_invite_of_the_logged_in_application_once(make_world, caplog):
    caplog.set_level("INFO")
    world = await make_world()
    assert world.bot.application_id is not None
    expected = invite_url(world.bot.application_id)
    assert caplog.text.count(expected) == 1
