"""`python -m bot run`: every start-up problem is one line and an exit status, no traceback,
and the token never appears in output."""

from __future__ import annotations

import pytest

from bot import cli
from bot.discord_app import runner

from ..conftest import CONFIG, ROOT


def test_missing_token_is_one_line_and_exit_2(monkeypatch, capsys):
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    assert cli.main(["run"]) == 2
    out, err = capsys.readouterr()
    assert "DISCORD_TOKEN" in err and "set" in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err + out


def test_blank_token_counts_as_missing(monkeypatch, capsys):
    monkeypatch.setenv("DISCORD_TOKEN", "   ")
    assert cli.main(["run"]) == 2
    assert "DISCORD_TOKEN" in capsys.readouterr().err


def test_broken_config_is_reported_before_connecting(monkeypatch, capsys, tmp_path):
    secret = "MTIz.fake-token.never-shown"
    monkeypatch.setenv("DISCORD_TOKEN", secret)
    config = tmp_path / "config.yaml"
    config.write_text("discord:\n  ephemeral: maybe\n", encoding="utf-8")
    assert cli.main(["run", "--config", str(config)]) == 1
    out, err = capsys.readouterr()
    assert str(config) in err and "discord.ephemeral" in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert secret not in out + err


def test_missing_corpus_is_reported_before_connecting(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("DISCORD_TOKEN", "MTIz.fake-token.never-shown")
    config = tmp_path / "config.yaml"
    config.write_text("corpus:\n  path: nowhere\n", encoding="utf-8")
    assert runner.run(str(config)) == 1
    err = capsys.readouterr().err
    assert "nowhere" in err and "corpus" in err and "Traceback" not in err


def test_create_bot_refuses_a_broken_config_naming_the_key(tmp_path):
    from bot import create_bot
    from bot.config import ConfigError

    config = tmp_path / "config.yaml"
    config.write_text("discord:\n  cooldown_questions: -1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="discord.cooldown_questions"):
        create_bot(config)


def test_rejected_token_is_one_line_without_the_token(monkeypatch, capsys, caplog):
    import discord

    secret = "MTIz.fake-token.never-shown"
    monkeypatch.setenv("DISCORD_TOKEN", secret)
    seen: list[str] = []

    async def refuse(self, token):
        seen.append(token)
        raise discord.LoginFailure("Improper token has been passed.")

    monkeypatch.setattr(discord.Client, "login", refuse)
    assert cli.main(["run", "--config", str(CONFIG)]) == 1
    out, err = capsys.readouterr()
    assert seen == [secret]  # the token went to discord.py and nowhere else
    assert "DISCORD_TOKEN" in err and len(err.strip().splitlines()) == 1
    assert secret not in out + err + caplog.text


def test_importing_the_engine_does_not_import_discord():
    import subprocess
    import sys

    code = "import sys, bot, bot.engine, bot.cli; assert 'discord' not in sys.modules; print(bot.create_bot.__name__)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=str(ROOT))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "create_bot"



def _bot(*args: str, **env: str):
    import os
    import subprocess
    import sys

    clean = {k: v for k, v in os.environ.items() if k != "DISCORD_TOKEN"}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], capture_output=True, text=True, cwd=str(ROOT), env={**clean, **env}, timeout=60
    )


def test_sync_exits_2_without_a_token_and_1_on_a_broken_config(tmp_path):
    command = "sync"  # `run` takes the same paths, tested in this process above
    missing = _bot(command)
    assert missing.returncode == 2 and "DISCORD_TOKEN" in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1

    secret = "MTIz.fake-token.never-shown"
    config = tmp_path / "config.yaml"
    config.write_text("discord:\n  dev_guild_ids: [0]\n", encoding="utf-8")
    broken = _bot(command, "--config", str(config), DISCORD_TOKEN=secret)
    assert broken.returncode == 1
    assert broken.stderr.strip().splitlines() == [broken.stderr.strip()] and "discord.dev_guild_ids" in broken.stderr
    assert secret not in broken.stdout + broken.stderr and "Traceback" not in broken.stderr


def test_sync_that_cannot_reach_discord_is_one_line_and_exit_1():
    secret = "MTIz.fake-token.never-shown"
    done = _bot("sync", "--config", str(CONFIG), DISCORD_TOKEN=secret)
    assert done.returncode == 1
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "Discord" in errors[0]
    assert secret not in done.stdout + done.stderr and "Traceback" not in done.stderr
