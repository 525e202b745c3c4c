"""/reload: operators only, picks up new documents, and a broken corpus or config never
takes the working index down."""

from __future__ import annotations

import pytest
from simcord import SetupError

from ..conftest import World

NEW_DOC = (
    "---\ntitle: Port of Halifax expands\nsource: Example Wire\n---\n\n"
    "The Port of Halifax opened a new container terminal on Tuesday, its harbourmaster said.\n"
)
QUESTION = "When did the Port of Halifax open its container terminal?"


async def _answer_title(world: World, actor) -> str:
    result = await actor.slash(world.channel, "ask", question=QUESTION)
    return result.response.embeds[0].title


async def test_operator_reload_picks_up_a_new_document(make_world):
    world = await make_world()
    assert await _answer_title(world, world.alice) == "The story doesn't say"

    (world.corpus / "halifax.md").write_text(NEW_DOC, encoding="utf-8")
    # The operator is not a server admin: the command is hidden in the server, so they use a DM.
    result = await world.operator.user.slash("reload")

    assert result.ephemeral
    text = result.response.content
    assert "Documents: 1 → 2" in text
    passages_after = world.bot.holder.engine.passages
    assert f"Passages: 12 → {passages_after}" in text and passages_after == 13
    assert " s." in text  # how long it took
    assert await _answer_title(world, world.alice) == "Port of Halifax expands"


async def test_application_owner_may_reload_in_the_server(make_world):
    world = await make_world()
    world.bot.owner_id = world.admin.id  # as discord.py records the application's owner
    (world.corpus / "halifax.md").write_text(NEW_DOC, encoding="utf-8")
    result = await world.admin.slash(world.channel, "reload")
    assert "Documents: 1 → 2" in result.response.content


async def test_server_admin_who_is_not_an_operator_is_refused(make_world):
    world = await make_world()
    engine = world.bot.holder.engine
    (world.corpus / "halifax.md").write_text(NEW_DOC, encoding="utf-8")

    assert "reload" in world.admin.available_commands(world.channel)  # admins see it ...
    result = await world.admin.slash(world.channel, "reload")  # ... but may not use it

    assert result.ephemeral
    assert "only the bot's operators" in result.response.content
    assert world.bot.holder.engine is engine  # nothing reloaded
    assert await _answer_title(world, world.alice) == "The story doesn't say"


async def test_regular_member_is_refused_in_a_dm(make_world):
    world = await make_world()
    engine = world.bot.holder.engine
    (world.corpus / "halifax.md").write_text(NEW_DOC, encoding="utf-8")
    result = await world.alice.user.slash("reload")
    assert result.ephemeral and "only the bot's operators" in result.response.content
    assert world.bot.holder.engine is engine


async def test_broken_corpus_keeps_the_old_index_and_tells_the_operator_why(make_world):
    world = await make_world()
    engine = world.bot.holder.engine
    (world.corpus / "broken.md").write_bytes(b"---\ntitle: Broken\n---\n\nCaf\xe9 au lait.\n")

    result = await world.operator.user.slash("reload")

    text = result.response.content
    assert result.ephemeral
    assert "Reload failed" in text and "still answering from the previous index" in text
    assert "broken.md" in text and "UTF-8" in text
    assert "(1 document, 12 passages)" in text
    assert world.bot.holder.engine is engine
    ask = await world.alice.slash(world.channel, "ask", question="When was Meng Wanzhou arrested?")
    assert ask.response.embeds[0].footer.text.startswith("¶5")


async def test_broken_config_keeps_the_old_index_and_names_the_key(make_world):
    world = await make_world()
    engine = world.bot.holder.engine
    world.config_path.write_text(
        f"corpus:\n  path: corpus\ndiscord:\n  admin_user_ids: [{world.operator.id}]\n  cooldown_secs: 5\n",
        encoding="utf-8",
    )
    result = await world.operator.user.slash("reload")
    text = result.response.content
    assert "config.yaml" in text and "cooldown\\_secs" in text  # escaped for Discord markdown
    assert world.bot.holder.engine is engine


async def test_reload_applies_new_discord_settings(make_world):
    world = await make_world()
    world.write_config(
        {"corpus": {"path": "corpus"}, "discord": {"admin_user_ids": [world.operator.id], "ephemeral": True}}
    )
    await world.operator.user.slash("reload")
    result = await world.alice.slash(world.channel, "ask", question="When was Meng Wanzhou arrested?")
    assert result.ephemeral


async def test_regular_members_do_not_see_reload(make_world):
    world = await make_world()
    visible = world.alice.available_commands(world.channel)
    assert {"ask", "help", "source"} <= set(visible) and "reload" not in visible
    with pytest.raises(SetupError, match="not visible"):
        await world.alice.slash(world.channel, "reload")
