"""The "Ask the story bot" message command: any message's text as a question, answered privately."""

from __future__ import annotations

from ..conftest import plain, story_paragraphs


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
    world.insights.recorder.flush(timeout=10)
    assert world.insights.store.query("SELECT surface FROM questions") == [("context_menu",)]


async def test_ask_the_story_bot_on_a_message_without_text(make_world):
    world = await make_world()
    posted = await world.alice.send(world.channel, f"<@{world.bob.id}>")
    result = await world.bob.context_menu(world.channel, "Ask the story bot", posted)
    assert result.ephemeral and "no text" in result.response.content
