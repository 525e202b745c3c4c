"""The insights log as the bot keeps it: one record per answer, from the question desk,
and the privacy settings a reload applies."""

from __future__ import annotations

from ..operators.test_stats_command import _activity


async def test_reload_applies_the_question_text_setting(make_world):
    import sqlite3

    import yaml

    world = await make_world({"insights": {"log_question_text": True}})
    await _activity(world)
    kept = await world.operator.user.slash("stats")
    assert "Peru" in str(kept.response.embeds[0].to_dict())

    config = yaml.safe_load(world.config_path.read_text(encoding="utf-8"))
    config["insights"]["log_question_text"] = False
    world.write_config(config)
    reloaded = await world.operator.user.slash("reload")
    assert "Reloaded" in reloaded.response.content

    after = await world.operator.user.slash("stats")
    assert "Peru" not in str(after.response.embeds[0].to_dict())
    with sqlite3.connect(world.insights.store.path) as db:  # type: ignore[attr-defined]
        assert db.execute("SELECT count(*) FROM questions WHERE question IS NOT NULL").fetchone() == (0,)
        assert db.execute("SELECT count(*) FROM questions").fetchone()[0] >= 3


async def test_a_question_and_the_vote_on_it_name_the_same_paragraphs(make_world):
    """The desk's record is the one the log keeps: an answer quoted with the paragraph before
    it as context (cited "¶3–4") is logged, and voted on, as the passage that answered (¶4)."""
    world = await make_world()
    asked = await world.alice.slash(world.channel, "ask", question="What can Beijing request from these organizations?")
    assert asked.response.embeds[0].footer.text.startswith("¶3–4 of 12")
    await world.bob.click(asked.response, label="Helpful")
    recorder = world.insights.recorder
    assert recorder.flush(timeout=10)
    assert recorder.store.query("SELECT first_paragraph, last_paragraph FROM questions") == [(4, 4)]
    assert recorder.store.query("SELECT first_paragraph, last_paragraph FROM feedback") == [(4, 4)]


async def test_only_the_desk_writes_question_records_and_errors_are_not_kept(make_world, monkeypatch):
    from bot.engine import Engine

    world = await make_world()
    heard = []
    world.bot.desk.listeners.append(heard.append)
    await world.alice.slash(world.channel, "ask", question="When was Meng Wanzhou arrested?")
    await world.alice.user.send_dm("What is the capital of Peru?")

    def broken(self, question, top=None):
        raise RuntimeError("boom")

    monkeypatch.setattr(Engine, "ask", broken)
    failed = await world.bob.slash(world.channel, "ask", question="Who is Michael Kovrig?")
    assert "Sorry" in failed.response.content
    world.take_errors()

    assert [r.status for r in heard] == ["answered", "abstained", "error"]
    recorder = world.insights.recorder
    assert recorder.flush(timeout=10)
    rows = recorder.store.query("SELECT answer_id, surface, answered FROM questions ORDER BY asked_at")
    assert rows == [(heard[0].answer_id, "slash", 1), (heard[1].answer_id, "dm", 0)]  # the error is a log line only
