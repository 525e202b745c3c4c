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
