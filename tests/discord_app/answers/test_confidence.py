"""The answer on Discord says how sure it is and marks the sentence that answers."""

from __future__ import annotations

import re

from ..conftest import plain, story_paragraphs


async def test_answer_embed_has_confidence_and_the_answer_sentence_underlined(make_world):
    world = await make_world()
    result = await world.alice.slash(world.channel, "ask", question="could anyone find bugs hidden in the source code")
    embed = result.response.embeds[0]
    paragraph = story_paragraphs()[5]
    assert plain(embed.description) == paragraph  # still the whole paragraph, verbatim
    assert re.search(r"· confidence: (high|medium|low)$", embed.footer.text)
    underlined = re.findall(r"__(.+?)__", embed.description, flags=re.S)
    assert len(underlined) == 1
    sentence = plain(underlined[0])
    assert sentence in paragraph and "source code" in sentence and sentence != paragraph


async def test_abstention_embed_says_why_without_confidence(make_world):
    world = await make_world()
    result = await world.alice.slash(world.channel, "ask", question="did huawei get banned in germany")
    embed = result.response.embeds[0]
    assert embed.title == "The story doesn't say"
    assert "never mentions germany" in embed.description
    assert embed.footer.text is None
