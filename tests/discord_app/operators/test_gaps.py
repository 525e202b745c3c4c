"""/stats shows the operator what the story is missing: what members asked that it declined or answered unhelpfully."""

from __future__ import annotations

from ...engine.test_hostile_input import live_mentions
from ..conftest import World, plain
from ..test_hostile_questions import check_no_pings
from .test_stats_command import field

MENG = "When was Meng Wanzhou arrested?"
GAPS = "Gaps"


async def _members_ask(world: World) -> None:
    """Three questions about Nokia (two people), one of them a ping; one answer marked not helpful."""
    await world.alice.slash(world.channel, "ask", question="Does Nokia sell 5G gear?")
    await world.bob.slash(world.channel, "ask", question="What did Nokia say about Huawei contracts?")
    await world.bob.slash(world.channel, "ask", question="Who pays **Nokia**? @everyone")
    meng = await world.alice.slash(world.channel, "ask", question=MENG)
    await world.alice.click(meng.response, label="Not helpful")
    await world.alice.slash(world.channel, "ask", question="Does Ericsson sell 5G gear?")
    assert world.insights.recorder.flush(timeout=10)


async def test_the_operator_sees_the_groups_with_an_example_each(make_world):
    world = await make_world({"insights": {"log_question_text": True}})
    await _members_ask(world)
    result = await world.operator.user.slash("stats")
    assert result.ephemeral
    gaps = field(result.response.embeds[0], GAPS)
    lines = gaps.splitlines()
    assert lines[0] == "4 declined · 1 marked not helpful"
    assert lines[1] == "**3** × nokia (3 declined)"
    assert lines[2].startswith("> ") and plain(lines[2]) == "Who pays **Nokia**? @everyone"  # the latest, as asked ...
    assert "\\*\\*Nokia\\*\\*" in lines[2] and "\\@everyone" in lines[2]  # ... but escaped: no bold, no ping
    assert "**1** × wanzhou (1 👎)\n> When was Meng Wanzhou arrested?" in gaps  # an answer alice marked not helpful
    assert "**1** × ericsson (1 declined)" in gaps  # one person, shown because question text is kept
    assert live_mentions(gaps) == []
    assert check_no_pings(world) > 0


async def test_without_question_text_only_terms_two_people_asked(make_world):
    world = await make_world()
    await _members_ask(world)
    result = await world.operator.user.slash("stats")
    embed = result.response.embeds[0]
    gaps = field(embed, GAPS)
    assert gaps.splitlines()[:2] == ["4 declined · 1 marked not helpful", "**3** × nokia (3 declined)"]
    assert "meng" not in gaps and "ericsson" not in gaps  # each asked by alice alone
    assert "two or more people" in gaps
    everything = str(embed.to_dict())
    assert "Nokia sell" not in everything and "everyone" not in everything and "Meng Wanzhou" not in everything


async def test_a_member_never_sees_the_gaps(make_world):
    world = await make_world({"insights": {"log_question_text": True}})
    await _members_ask(world)
    for refused in (await world.admin.slash(world.channel, "stats"), await world.bob.user.slash("stats")):
        assert refused.ephemeral and "only the bot's operators" in refused.response.content
        assert not refused.response.embeds and "nokia" not in refused.response.content.lower()


async def test_questions_by_dm_and_mention_count_too(make_world):
    world = await make_world()
    await world.alice.user.send_dm("Does Ericsson sell 5G gear?")
    await world.bob.send(world.channel, f"{world.bot.user.mention} Is Ericsson in Canada?")
    assert world.insights.recorder.flush(timeout=10)
    gaps = field((await world.operator.user.slash("stats")).response.embeds[0], GAPS)
    assert gaps.splitlines()[:2] == ["2 declined · 0 marked not helpful", "**2** × ericsson (2 declined)"]
