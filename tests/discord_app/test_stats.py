"""/stats for operators only, the "Ask the story bot" message command, and /ask autocomplete."""

from __future__ import annotations

from .conftest import World, plain, story_paragraphs

MENG = "When was Meng Wanzhou arrested?"
PERU = "What is the capital of Peru?"


def field(embed, name: str) -> str:
    return next(f.value for f in embed.fields if f.name.startswith(name))


async def _activity(world: World) -> None:
    """Three questions (two answered, one not) and two votes."""
    meng = await world.alice.slash(world.channel, "ask", question=MENG)
    await world.bob.slash(world.channel, "ask", question=MENG)
    await world.bob.slash(world.channel, "ask", question=PERU)
    await world.alice.click(meng.response, label="Helpful")
    await world.bob.click(meng.response, label="Not helpful")
    assert world.bot.insights.recorder.flush(timeout=10)


async def test_operator_sees_the_numbers(make_world):
    world = await make_world({"insights": {"log_question_text": True}})
    await _activity(world)
    result = await world.operator.user.slash("stats")  # the operator is not a server admin: a DM

    assert result.ephemeral
    embed = result.response.embeds[0]
    today = field(embed, "Today")
    assert "**3** questions from 2 people" in today
    assert "2 answered (67%) · 1 not answered" in today
    assert "👍 1 · 👎 1" in today
    assert "**3** questions" in field(embed, "Last 7 days")
    top = field(embed, "Most asked paragraphs")
    assert top.startswith("2 × “Trump may bar Huawei") and "¶5" in top
    assert PERU in plain(field(embed, "Recent unanswered"))
    assert MENG in plain(field(embed, "Recent “not helpful”"))


async def test_question_text_stays_out_of_stats_unless_enabled(make_world):
    world = await make_world()
    await _activity(world)
    result = await world.operator.user.slash("stats")
    embed = result.response.embeds[0]
    assert "**3** questions" in field(embed, "Today")
    everything = str(embed.to_dict())
    assert "Peru" not in everything and "Meng Wanzhou arrested" not in everything
    assert "log_question_text" in embed.footer.text


async def test_stats_is_hidden_from_members_and_refused_to_non_operators(make_world):
    world = await make_world({"insights": {"log_question_text": True}})
    await _activity(world)
    assert "stats" not in world.alice.available_commands(world.channel)  # hidden from members
    assert "stats" in world.admin.available_commands(world.channel)  # a server admin sees it ...
    refused = await world.admin.slash(world.channel, "stats")  # ... but is not an operator
    assert refused.ephemeral and "only the bot's operators" in refused.response.content
    assert not refused.response.embeds
    in_dm = await world.alice.user.slash("stats")
    assert in_dm.ephemeral and "only the bot's operators" in in_dm.response.content
    assert PERU not in str([m.content for m in (refused.response, in_dm.response)])


async def test_stats_when_the_log_is_off(make_world):
    world = await make_world({"insights": {"enabled": False}})
    result = await world.operator.user.slash("stats")
    assert "insights.enabled" in result.response.content


async def test_ask_the_story_bot_answers_the_selected_message_privately(make_world):
    world = await make_world()
    paragraphs = story_paragraphs()
    number = next(i for i, p in enumerate(paragraphs, 1) if "Patrick Leblond" in p)
    posted = await world.alice.send(world.channel, "Who is Patrick Leblond? @everyone")

    result = await world.bob.context_menu(world.channel, "Ask the story bot", posted)
    assert result.ephemeral and result.response.ephemeral  # only bob sees the answer
    embed = result.response.embeds[0]
    assert " ".join(plain(embed.description).split()) == " ".join(paragraphs[number - 1].split())
    assert embed.footer.text.startswith(f"¶{number} of 12")
    assert "Context" in str(result.response.components)
    assert world.channel.last_message.id == posted.id  # nothing posted in the channel
    world.bot.insights.recorder.flush(timeout=10)
    assert world.bot.insights.store.query("SELECT surface FROM questions") == [("context_menu",)]


async def test_ask_the_story_bot_on_a_message_without_text(make_world):
    world = await make_world()
    posted = await world.alice.send(world.channel, f"<@{world.bob.id}>")
    result = await world.bob.context_menu(world.channel, "Ask the story bot", posted)
    assert result.ephemeral and "no text" in result.response.content


async def test_autocomplete_offers_story_names_completing_the_question(make_world):
    world = await make_world({"discord": {"example_questions": ["Who is Sarah McIver?", "Why was Meng arrested?"]}})
    choices = await world.alice.autocomplete(world.channel, "ask", "question", "who is jus")
    values = [c["value"] for c in choices]
    assert "who is Justin Trudeau" in values
    assert all(c["name"] == c["value"] and len(c["value"]) <= 100 for c in choices)

    first = await world.alice.autocomplete(world.channel, "ask", "question", "")
    assert [c["value"] for c in first][:2] == ["Who is Sarah McIver?", "Why was Meng arrested?"]
    assert len(first) <= 25

    # A suggestion is a question the bot can answer.
    answer = await world.alice.slash(world.channel, "ask", question=values[0])
    assert answer.response.embeds[0].footer.text.startswith("¶12")


async def test_autocomplete_follows_a_reload(make_world):
    world = await make_world()
    assert await world.alice.autocomplete(world.channel, "ask", "question", "halif") == []
    (world.corpus / "halifax.md").write_text(
        "# Port news\n\nThe Port of Halifax opened a terminal, Captain Ada Moreau said.\n", encoding="utf-8"
    )
    await world.operator.user.slash("reload")
    values = [c["value"] for c in await world.alice.autocomplete(world.channel, "ask", "question", "halif")]
    assert "Port of Halifax" in values or "Halifax" in values
    assert "Ada Moreau" in [c["value"] for c in await world.alice.autocomplete(world.channel, "ask", "question", "ada")]


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
    with sqlite3.connect(world.bot.insights.store.path) as db:  # type: ignore[attr-defined]
        assert db.execute("SELECT count(*) FROM questions WHERE question IS NOT NULL").fetchone() == (0,)
        assert db.execute("SELECT count(*) FROM questions").fetchone()[0] >= 3
