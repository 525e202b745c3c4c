"""The holder is the one place the Discord layer reads its settings from: a reload applies
them, except those only a restart applies."""

from __future__ import annotations

from bot.discord_app.holder import RESTART_ONLY, EngineHolder

from ..conftest import STORY


async def test_a_reload_applies_discord_settings_except_the_restart_only_ones(make_corpus):
    story = {STORY.name: STORY.read_text(encoding="utf-8")}
    config = make_corpus(story, "corpus:\n  path: corpus\ndiscord:\n  max_question_length: 200\n  ephemeral: false\n")
    holder = EngineHolder(config)
    await holder.load()
    assert (holder.settings.max_question_length, holder.settings.ephemeral) == (200, False)

    config.write_text(
        "corpus:\n  path: corpus\ndiscord:\n  max_question_length: 100\n  ephemeral: true\n  sync_commands: false\n"
        "  example_questions: ['Who is Ritesh Kotak?']\n",
        encoding="utf-8",
    )
    assert (await holder.reload()).ok
    settings = holder.settings
    assert settings.ephemeral is True and settings.example_questions == ("Who is Ritesh Kotak?",)
    # The /ask option's limit is part of the command synced at start-up: it waits for a restart.
    assert settings.max_question_length == 200 and settings.sync_commands is True
    assert holder.engine.config.discord.max_question_length == 100  # the new config was read
    assert set(RESTART_ONLY) == {"sync_commands", "dev_guild_ids", "max_question_length"}
