"""/reload and the question log: `insights.enabled` applied both ways, and a log that could
not be opened at start-up reopened; each reported to the operator."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import yaml

from bot.discord_app.insights_log import _cog as insights_log_cog

from ..conftest import World

MENG = "When was Meng Wanzhou arrested?"
FEEDBACK = {"Helpful", "Not helpful"}


def labels(message) -> set[str]:
    return {c["label"] for row in message.components for c in row["components"]}


def database(world: World) -> Path:
    return world.config_path.parent / "data" / "insights.sqlite3"


def questions_on_disk(world: World) -> int:
    with sqlite3.connect(database(world)) as db:
        return db.execute("SELECT count(*) FROM questions").fetchone()[0]


def set_insights(world: World, **settings: object) -> None:
    config = yaml.safe_load(world.config_path.read_text(encoding="utf-8"))
    config.setdefault("insights", {}).update(settings)
    world.write_config(config)


async def test_reload_turns_the_question_log_off_and_on_again(make_world):
    world = await make_world()
    before = await world.alice.slash(world.channel, "ask", question=MENG)
    assert FEEDBACK <= labels(before.response)

    set_insights(world, enabled=False)
    off = await world.operator.user.slash("reload")
    assert off.response.content.startswith("Reloaded in")
    assert "Question log: off" in off.response.content and "insights.enabled" in off.response.content

    during = await world.alice.slash(world.channel, "ask", question=MENG)
    assert not FEEDBACK & labels(during.response)  # no feedback buttons on new answers
    late_vote = await world.bob.click(before.response, label="Helpful")  # an old answer's button
    assert "isn't being recorded" in late_vote.response.content
    assert questions_on_disk(world) == 1  # the question asked before was kept; none since
    stats = await world.operator.user.slash("stats")
    assert "insights.enabled" in stats.response.content

    set_insights(world, enabled=True)
    on = await world.operator.user.slash("reload")
    assert "Question log: on" in on.response.content
    after = await world.alice.slash(world.channel, "ask", question=MENG)
    assert FEEDBACK <= labels(after.response)
    assert world.insights.recorder.flush(timeout=10)
    assert questions_on_disk(world) == 2
    same = await world.operator.user.slash("reload")  # nothing changed: nothing to report
    assert "Question log" not in same.response.content


async def test_reload_reopens_a_question_log_that_could_not_be_opened_at_start_up(make_world, tmp_path):
    """A database unusable at start-up (here a damaged file) turns the log off; once the
    operator fixes it, /reload opens it without a restart."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "insights.sqlite3").write_bytes(b"this is not a database" * 100)
    world = await make_world()
    assert world.insights.recorder is None
    refused = await world.alice.slash(world.channel, "ask", question=MENG)
    assert not FEEDBACK & labels(refused.response)

    still_broken = await world.operator.user.slash("reload")
    assert "Question log: still off" in still_broken.response.content
    assert "insights.sqlite3" in still_broken.response.content  # names the file

    (data / "insights.sqlite3").unlink()
    fixed = await world.operator.user.slash("reload")
    assert "Question log: on" in fixed.response.content
    asked = await world.alice.slash(world.channel, "ask", question=MENG)
    assert FEEDBACK <= labels(asked.response)
    assert world.insights.recorder.flush(timeout=10)
    assert questions_on_disk(world) == 1


async def test_a_log_locked_at_start_up_keeps_what_is_asked_and_opens_once_free(make_world, tmp_path, monkeypatch):
    """Another program holds the SQLite write lock when the bot starts: the log is not
    turned off for the session. What is asked meanwhile is kept and written once the lock
    is released (retried in the background), /stats and /reload say it is not open yet."""
    monkeypatch.setattr(insights_log_cog, "BUSY_TIMEOUT", 0.2)  # the bot waits 10 s per attempt; the test need not
    data = tmp_path / "data"
    data.mkdir()
    with sqlite3.connect(data / "insights.sqlite3") as db:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE other_program (x)")
    locker = sqlite3.connect(data / "insights.sqlite3", isolation_level=None)
    locker.execute("BEGIN IMMEDIATE")  # holds the write lock
    try:
        world = await make_world()
        assert world.insights.recorder is not None and world.insights.store is None
        asked = await world.alice.slash(world.channel, "ask", question=MENG)
        assert FEEDBACK <= labels(asked.response)  # votes are kept too
        stats = await world.operator.user.slash("stats")
        assert "not open yet" in stats.response.content and "locked" in stats.response.content
        reloaded = await world.operator.user.slash("reload")
        assert "Question log: not open yet" in reloaded.response.content and "locked" in reloaded.response.content
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    assert world.insights.recorder.flush(timeout=20)  # opened in the background, and nothing lost
    assert world.insights.store is not None and questions_on_disk(world) == 1
    quiet = await world.operator.user.slash("reload")
    assert "Question log" not in quiet.response.content
