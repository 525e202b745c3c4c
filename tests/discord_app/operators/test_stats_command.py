"""/stats: the numbers for operators only, and what it says when the log is off."""

from __future__ import annotations

from ..conftest import World, plain

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
    assert world.insights.recorder.flush(timeout=10)


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
