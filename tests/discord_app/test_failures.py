"""Broken files at start-up and on /reload, Discord refusing requests, and restarts: the bot
refuses to start with a reason, never loses a working index, and keeps serving everyone else."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Callable

import discord
import pytest
import simcord

from bot import create_bot
from bot.config import ConfigError
from bot.engine import CorpusError

from ..conftest import STORY
from .conftest import World
from .simcord_speed import fast_settle  # noqa: F401 (fixture)

MENG = "When was Meng Wanzhou arrested?"
GOOD = "---\ntitle: Halifax\n---\n\nThe Port of Halifax opened a container terminal on Tuesday.\n"


async def still_answers(world: World) -> None:
    result = await world.alice.slash(world.channel, "ask", question=MENG)
    assert result.response.embeds[0].footer.text.startswith("¶5 of 12"), "the old index stopped answering"


# --- start-up ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, problem",
    [
        ("corpus:\n  path: [unclosed\n", "line 3, column 1: not valid YAML"),
        ("- corpus\n", "expected a mapping of settings at the top level, got a list"),
        ("discord:\n  cooldown_secs: 5\n", "unknown setting 'discord.cooldown_secs'"),
        ("discord:\n  ephemeral: sometimes\n", "'discord.ephemeral' must be true or false"),
        ("discord:\n  cooldown_questions: -5\n", "'discord.cooldown_questions' must be between 1 and 1000"),
        ("discord:\n  token: MTIz.abc.def\n", "'discord.token' must not be stored in the config file"),
    ],
)
def test_start_up_refuses_a_broken_config_naming_file_and_problem(tmp_path: Path, text: str, problem: str) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        create_bot(config)
    assert str(caught.value).startswith(f"{config}: ") and problem in str(caught.value)
    assert "MTIz.abc.def" not in str(caught.value)


def test_start_up_refuses_a_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"absent\.yaml: file not found"):
        create_bot(tmp_path / "absent.yaml")


def _corpus_case(tmp_path: Path, case: str) -> str:
    """Lay out a corpus broken in one way; returns what the refusal must mention."""
    corpus = tmp_path / "corpus"
    config = "corpus:\n  path: corpus\n"
    if case != "missing folder":
        corpus.mkdir()
    if case not in ("missing folder", "empty folder"):
        shutil.copy(STORY, corpus / STORY.name)
    extra: dict[str, bytes] = {
        "binary file": b"\x89PNG\r\n\x1a\n\x00\x00",
        "invalid UTF-8": b"First.\n\nCaf\xe9.\n",
        "empty file": b"",
        "unclosed front matter": b"---\ntitle: x\n\nBody.\n",
        "front matter not YAML": b"---\ntitle: [x\n---\nBody.\n",
        "unknown front matter key": b"---\nauthor: x\n---\nBody.\n",
    }
    if case in extra:
        (corpus / "bad.md").write_bytes(extra[case])
    if case == "too large":
        (corpus / "bad.md").write_bytes(b"word " * 400_000)  # 2 MB
        config += "  max_file_mb: 1\n"
    (tmp_path / "config.yaml").write_text(config, encoding="utf-8")
    return {
        "missing folder": f"{corpus}: corpus directory not found",
        "empty folder": f"{corpus}: no documents",
        "binary file": "bad.md: binary file, not text",
        "invalid UTF-8": "bad.md: not valid UTF-8 (line 3",
        "empty file": "bad.md: empty file",
        "unclosed front matter": "bad.md: front matter starts with '---' but has no closing '---' line",
        "front matter not YAML": "bad.md: front matter is not valid YAML (line 3)",
        "unknown front matter key": "bad.md: unknown front matter key 'author'",
        "too large": "bad.md: too large (2.0 MB; corpus.max_file_mb allows 1 MB)",
    }.get(case, "")


CORPUS_CASES = [
    "missing folder", "empty folder", "binary file", "invalid UTF-8", "empty file",
    "unclosed front matter", "front matter not YAML", "unknown front matter key", "too large",
]


@pytest.mark.parametrize("case", CORPUS_CASES)
async def test_start_up_refuses_a_broken_corpus_naming_file_and_problem(tmp_path: Path, case: str) -> None:
    expected = _corpus_case(tmp_path, case)
    bot = create_bot(tmp_path / "config.yaml")  # the config is fine; the corpus loads in setup_hook
    env = simcord.Env(bot, approved_intents=discord.Intents.default())
    with pytest.raises(CorpusError) as caught:
        await env.start()
    assert expected in str(caught.value) and "\n" not in str(caught.value)
    assert not bot.holder.loaded


@pytest.mark.parametrize("case", ["binary file", "unknown front matter key", "missing folder"])
def test_run_refuses_a_broken_corpus_in_one_line(tmp_path: Path, case: str, monkeypatch, capsys) -> None:
    from bot.discord_app import runner

    expected = _corpus_case(tmp_path, case)
    monkeypatch.setenv("DISCORD_TOKEN", "MTIz.fake.token-for-tests")
    monkeypatch.setattr(discord.Client, "run", lambda *a, **k: pytest.fail("must not connect"))
    assert runner.run(str(tmp_path / "config.yaml")) == 1
    out, err = capsys.readouterr()
    assert err.strip().splitlines() == [f"error: {err.strip()[7:]}"] and expected in err
    assert "Traceback" not in err and "MTIz.fake" not in out + err


async def test_start_up_with_a_symlink_loop_in_the_corpus(tmp_path: Path) -> None:
    _corpus_case(tmp_path, "good")
    (tmp_path / "corpus" / "loop").symlink_to(tmp_path / "corpus", target_is_directory=True)
    bot = create_bot(tmp_path / "config.yaml")
    env = simcord.Env(bot, approved_intents=discord.Intents.default())
    await env.start()
    try:
        assert bot.holder.engine.documents == 1
    finally:
        await env.shutdown()


# --- /reload with broken files ------------------------------------------------------------------


def _config_cases(world: World) -> list[tuple[str, Callable[[], None], str]]:
    ops = f"  admin_user_ids: [{world.operator.id}]\n"
    path = world.config_path

    def write(text: str) -> Callable[[], None]:
        return lambda: path.write_text(text, encoding="utf-8")

    return [
        ("config missing", lambda: path.unlink(), f"{path}: file not found"),
        ("not YAML", write(f"corpus:\n  path: corpus\ndiscord:\n{ops}  ephemeral: [yes\n"), "a flow sequence that starts at line 5"),
        ("a list", write("- corpus\n- discord\n"), f"{path}: expected a mapping of settings at the top level"),
        ("unknown key", write(f"corpus:\n  path: corpus\n  on_eror: skip\ndiscord:\n{ops}"), "unknown setting 'corpus.on_eror'"),
        ("wrong type", write(f"corpus:\n  path: corpus\ndiscord:\n{ops}  cooldown_seconds: soon\n"), "'discord.cooldown_seconds' must be a number, got 'soon'"),
        ("negative", write(f"corpus:\n  path: corpus\nanswers:\n  top: -2\ndiscord:\n{ops}"), "'answers.top' must be between 1 and 25"),
        ("token", write(f"corpus:\n  path: corpus\ndiscord:\n{ops}  token: MTIz.secret.value\n"), "'discord.token' must not be stored in the config file; set the DISCORD_TOKEN"),
    ]


def _corpus_cases(world: World) -> list[tuple[str, Callable[[], None], str]]:
    corpus = world.corpus

    def add(data: bytes) -> Callable[[], None]:
        return lambda: (corpus / "bad.md").write_bytes(data)

    def move_story_out() -> None:
        (corpus / STORY.name).rename(corpus.parent / STORY.name)

    return [
        ("folder missing", lambda: corpus.rename(corpus.parent / "moved"), "corpus directory not found"),
        ("folder empty", move_story_out, "no documents"),
        ("binary", add(b"\x00\x01\x02\x03"), "bad.md: binary file, not text"),
        ("bad UTF-8", add(b"Line one.\n\nCaf\xe9.\n"), "bad.md: not valid UTF-8 (line 3"),
        ("empty file", add(b""), "bad.md: empty file"),
        ("front matter unclosed", add(b"---\ntitle: x\n\nBody.\n"), "bad.md: front matter starts with '---'"),
        ("front matter key", add(b"---\nwriter: x\n---\nBody.\n"), "bad.md: unknown front matter key 'writer'"),
        ("too large", add(b"word " * 300_000), "bad.md: too large (1.5 MB; corpus.max_file_mb allows 1 MB)"),
    ]


async def test_every_broken_file_on_reload_keeps_the_old_index_and_tells_the_operator(make_world):
    world = await make_world({"corpus": {"max_file_mb": 1}})
    engine = world.bot.holder.engine
    config_text = world.config_path.read_text(encoding="utf-8")
    for name, break_it, reason in _config_cases(world) + _corpus_cases(world):
        break_it()
        result = await world.operator.user.slash("reload")
        text = result.response.content
        assert result.ephemeral, name
        assert text.startswith("Reload failed after") and "still answering from the previous index" in text, name
        assert "(1 document, 12 passages)" in text, name
        # The reason is Markdown-escaped for Discord (file_name → file\\_name); read it back plain.
        assert reason in text.replace("\\", ""), (name, text)
        assert "MTIz.secret" not in text
        assert world.bot.holder.engine is engine, name
        await still_answers(world)
        # Put things back as they were.
        world.config_path.write_text(config_text, encoding="utf-8")
        if (world.corpus.parent / "moved").exists():
            (world.corpus.parent / "moved").rename(world.corpus)
        if (world.corpus.parent / STORY.name).exists():
            (world.corpus.parent / STORY.name).rename(world.corpus / STORY.name)
        (world.corpus / "bad.md").unlink(missing_ok=True)
    world.take_errors()  # nothing escaped into discord.py (the fixture re-checks at the end)
    (world.corpus / "halifax.md").write_text(GOOD, encoding="utf-8")
    result = await world.operator.user.slash("reload")
    assert "Documents: 1 → 2" in result.response.content


async def test_a_file_disappearing_during_the_reload_fails_it_cleanly(make_world, monkeypatch):
    from bot.engine import documents

    world = await make_world()
    engine = world.bot.holder.engine
    (world.corpus / "halifax.md").write_text(GOOD, encoding="utf-8")
    real_files = documents.corpus_files

    def listed_then_deleted(*args, **kwargs):
        found = real_files(*args, **kwargs)
        (world.corpus / "halifax.md").unlink(missing_ok=True)  # deleted after the folder was listed
        return found

    monkeypatch.setattr(documents, "corpus_files", listed_then_deleted)
    result = await world.operator.user.slash("reload")
    assert "Reload failed" in result.response.content
    assert "halifax.md: cannot read (No such file or directory)" in result.response.content
    assert world.bot.holder.engine is engine
    await still_answers(world)

    monkeypatch.setattr(documents, "corpus_files", real_files)
    retry = await world.operator.user.slash("reload")  # the operator simply reloads again
    assert retry.response.content.startswith("Reloaded in") and "Documents: 1 → 1" in retry.response.content


async def test_a_file_appearing_during_the_reload_waits_for_the_next_one(make_world, monkeypatch):
    from bot.engine import documents

    world = await make_world()
    real_files = documents.corpus_files

    def listed_then_added(*args, **kwargs):
        found = real_files(*args, **kwargs)
        (world.corpus / "halifax.md").write_text(GOOD, encoding="utf-8")  # arrives after the listing
        return found

    monkeypatch.setattr(documents, "corpus_files", listed_then_added)
    first = await world.operator.user.slash("reload")
    assert "Documents: 1 → 1" in first.response.content
    monkeypatch.setattr(documents, "corpus_files", real_files)
    second = await world.operator.user.slash("reload")
    assert "Documents: 1 → 2" in second.response.content
    result = await world.alice.slash(world.channel, "ask", question="When did the Port of Halifax open a terminal?")
    assert result.response.embeds[0].title == "Halifax"


async def test_a_file_being_written_during_the_reload_is_reported_not_half_served(make_world, monkeypatch):
    """A document caught mid-copy (here: cut inside a UTF-8 character) fails the reload by name."""
    world = await make_world()
    engine = world.bot.holder.engine
    (world.corpus / "partial.md").write_bytes("---\ntitle: Café\n---\n\nLe café est ouvert".encode("utf-8")[:-13] + "é".encode()[:1])
    result = await world.operator.user.slash("reload")
    assert "partial.md: not valid UTF-8" in result.response.content
    assert world.bot.holder.engine is engine


# --- Discord refusing requests ---------------------------------------------------------------------


@pytest.mark.parametrize("status", [429, 500])
async def test_refused_answer_then_apology_then_service_as_usual(make_world, status):
    world = await make_world()
    world.env.inject_error("POST", "/interactions/*/*/callback", status=status, times=1)
    failed = await world.alice.slash(world.channel, "ask", question=MENG)
    assert failed.ephemeral and "something went wrong" in failed.response.content  # told when possible
    ok = await world.bob.slash(world.channel, "ask", question=MENG)
    assert ok.response.embeds[0].footer.text.startswith("¶5")


@pytest.mark.parametrize("status", [429, 500])
async def test_every_send_refused_is_logged_and_the_bot_carries_on(make_world, status, caplog):
    world = await make_world()
    world.env.inject_error("POST", "/interactions/*/*/callback", status=status, times=2)  # answer and apology
    failed = await world.alice.slash(world.channel, "ask", question=MENG)
    assert not failed.acknowledged and failed.response is None  # nothing could be sent
    assert f"could not reply to /ask: {status}" in caplog.text
    ok = await world.alice.slash(world.channel, "ask", question=MENG)
    assert ok.response.embeds[0].footer.text.startswith("¶5")


async def test_refused_follow_up_after_a_defer(make_world):
    world = await make_world()
    world.bot.desk.acknowledge_after = 0  # the answer took longer than the deadline allows: defer first
    world.env.inject_error("POST", "/webhooks/*/*", status=500, times=1)  # the answer (a follow-up) fails
    result = await world.alice.slash(world.channel, "ask", question=MENG)
    callbacks = [r.json["type"] for r in world.env.http_requests if r.path.endswith("/callback")]
    assert callbacks == [5]  # deferred ("thinking…") once, never acknowledged twice
    # The thinking message became the apology (public, as the defer was: Discord fixes that then).
    assert "something went wrong" in result.response.content and not result.response.embeds
    assert result.followups == []
    ok = await world.alice.slash(world.channel, "ask", question=MENG)
    assert ok.response.embeds[0].footer.text.startswith("¶5")


@pytest.mark.parametrize("status", [429, 500])
async def test_refused_mention_reply_and_typing(make_world, status):
    world = await make_world()
    world.bot.desk.acknowledge_after = 0  # show "typing…" first
    world.env.inject_error("POST", "/channels/*/typing", status=status, times=1)
    await world.alice.send(world.channel, f"{world.bot.user.mention} {MENG}")
    assert world.channel.last_message.embeds[0].footer.text.startswith("¶5")  # typing failed, answer did not

    world.env.inject_error("POST", "/channels/*/messages", status=status, times=1)
    await world.alice.send(world.channel, f"{world.bot.user.mention} {MENG}")
    last = world.channel.last_message
    assert last.author.id == world.bot.user.id and "something went wrong" in last.content


async def test_command_sync_refused_at_start_up_still_serves_dms(tmp_path: Path, caplog) -> None:
    _corpus_case(tmp_path, "good")
    bot = create_bot(tmp_path / "config.yaml")
    env = simcord.Env(bot, approved_intents=discord.Intents.default(), strict_sync=False)
    env.inject_error("PUT", "/applications/*/commands", status=429, times=1)
    user = env.create_user("reader")
    await env.start()
    try:
        assert "could not sync slash commands: 429" in caplog.text
        await user.send_dm(MENG)
        assert user.dm_channel.last_message.embeds[0].footer.text.startswith("¶5")
    finally:
        await env.shutdown()


# --- restarts ----------------------------------------------------------------------------------------


@pytest.mark.usefixtures("fast_settle")
async def test_restart_mid_conversation(make_world):
    world = await make_world({"discord": {"cooldown_questions": 3}})
    for _ in range(3):
        await world.alice.user.send_dm(MENG)
    await world.alice.user.send_dm(MENG)
    assert "Please wait" in world.alice.user.dm_channel.last_message.content
    await world.close_insights()
    world.bot = create_bot(world.config_path)
    await world.env.restart_bot(world.bot)

    # The same DM conversation carries on with the new process (cooldowns start afresh).
    await world.alice.user.send_dm("Who is Michael Kovrig?")
    reply = world.alice.user.dm_channel.last_message
    assert reply.author.id == world.bot.user.id and reply.embeds[0].footer.text.startswith("¶7")
    asked = await world.bob.send(world.channel, f"{world.bot.user.mention} {MENG}")
    assert world.channel.last_message.reference.message_id == asked.id
    result = await world.alice.slash(world.channel, "ask", question=MENG)
    assert result.response.embeds[0].footer.text.startswith("¶5")


async def test_a_broken_corpus_the_running_bot_survived_stops_the_next_start(make_world):
    """The old index keeps serving after a failed reload, but a restart reads the disk again:
    the operator must fix the file (the reload reply said which) before restarting."""
    world = await make_world()
    (world.corpus / "bad.md").write_bytes(b"\x00\x01")
    failed = await world.operator.user.slash("reload")
    assert "bad.md: binary file" in failed.response.content
    await still_answers(world)

    await world.close_insights()
    with pytest.raises(CorpusError, match=r"bad\.md: binary file"):
        await world.env.restart_bot(create_bot(world.config_path))


def test_unreadable_corpus_is_named(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads a chmod 000 folder")
    _corpus_case(tmp_path, "good")
    (tmp_path / "corpus").chmod(0)
    try:
        bot = create_bot(tmp_path / "config.yaml")
        with pytest.raises(CorpusError, match="not readable"):
            import asyncio

            asyncio.run(bot.holder.load())
    finally:
        (tmp_path / "corpus").chmod(0o755)


async def test_on_error_skip_serves_the_rest_and_tells_the_operator_what_was_left_out(make_world, caplog):
    world = await make_world({"corpus": {"on_error": "skip"}}, files={"empty.md": ""})  # broken from the start
    assert world.bot.holder.engine.documents == 1
    assert "left out of the index (corpus.on_error: skip):" in caplog.text and "empty.md: empty file" in caplog.text

    (world.corpus / "bad.md").write_bytes(b"\x00\x01")
    (world.corpus / "halifax.md").write_text(GOOD, encoding="utf-8")
    result = await world.operator.user.slash("reload")
    text = result.response.content.replace("\\", "")
    assert text.startswith("Reloaded in") and "Documents: 1 → 2" in text
    assert "**Left out** (2 files, corpus.on_error: skip):" in text
    assert "bad.md: binary file, not text" in text and "empty.md: empty file" in text
