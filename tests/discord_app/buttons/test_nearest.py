"""No bare miss: when the story does not say, the reply says so plainly and offers up to
three buttons with the closest passages, each shown on a click, privately, as not an answer."""

from __future__ import annotations

import re

from bot import create_bot

from ..conftest import plain, story_paragraphs
from .test_buttons import buttons, labels

NOKIA = "Did Huawei sign contracts with Nokia?"
PERU = "What is the capital of Peru?"


def closest(message) -> list[str]:
    return [label for label in labels(message) if label.startswith("Closest")]


async def test_an_abstention_says_so_and_offers_the_nearest_passages(make_world):
    world = await make_world()
    result = await world.alice.slash(world.channel, "ask", question=NOKIA)

    embed = result.response.embeds[0]
    assert embed.title == "The story doesn't say"
    assert "I couldn't find an answer to that in the story" in embed.description
    assert "never mentions Nokia" in embed.description
    line = next(line for line in embed.description.splitlines() if line.startswith("Closest in the story"))
    spans = re.findall(r"¶[\d–]+", line)
    assert "(not an answer)" in line and 1 <= len(spans) <= 3
    offered = closest(result.response)
    assert [re.match(r"Closest: (¶[\d–]+)", label).group(1) for label in offered] == spans  # one button each, in order
    assert all("Huawei" in label for label in offered)  # what it shares with the question, as written
    assert labels(result.response)[len(offered):] == ["Why this?", "Helpful", "Not helpful"]  # no Next match: nothing answers
    assert all(len(cid) <= 100 for _, cid in buttons(result.response))


async def test_a_nearest_passage_is_shown_privately_and_labelled_not_an_answer(make_world):
    world = await make_world()
    paragraphs = story_paragraphs()
    asked = await world.alice.slash(world.channel, "ask", question=NOKIA)
    public = asked.response.embeds[0].description

    for label in closest(asked.response):
        span = re.match(r"Closest: (¶[\d–]+)", label).group(1)  # "¶5", or "¶10–11" with a quote's speaker
        number = int(span.split("–")[-1].lstrip("¶"))
        shown = await world.bob.click(asked.response, label=label)  # anyone may look
        assert shown.ephemeral and shown.response.ephemeral
        embed = shown.response.embeds[0]
        assert embed.title.startswith("Not an answer: the closest passage in “Trump may bar Huawei")
        assert "does not answer your question" in embed.description
        assert paragraphs[number - 1] in " ".join(plain(embed.description).split())  # verbatim
        assert "**Huawei**" in embed.description  # the word it shares, highlighted
        assert embed.footer.text.startswith(f"{span} of 12") and embed.footer.text.endswith("not an answer")
        assert "confidence" not in embed.footer.text
    assert world.channel.last_message.embeds[0].description == public  # the reply everyone reads is unchanged


async def test_no_match_offers_no_nearest_passage(make_world):
    world = await make_world()
    result = await world.alice.slash(world.channel, "ask", question=PERU)
    embed = result.response.embeds[0]
    assert embed.title == "The story doesn't say" and "No passage contains any of your question's words" in embed.description
    assert "Closest" not in embed.description
    assert labels(result.response) == ["Why this?", "Helpful", "Not helpful"]


async def test_a_question_with_no_subject_offers_no_nearest_passage(make_world):
    """"What did they say?" is near every passage and none: the reply says why, and offers none."""
    world = await make_world()
    result = await world.alice.slash(world.channel, "ask", question="What did they say?")
    embed = result.response.embeds[0]
    assert embed.title == "The story doesn't say" and "too general" in embed.description
    assert "Closest" not in embed.description
    assert not any(label.startswith("Closest") for label in labels(result.response))


async def test_nearest_buttons_work_after_a_restart(make_world):
    world = await make_world()
    asked = await world.alice.slash(world.channel, "ask", question=NOKIA)
    [first, *_] = closest(asked.response)

    await world.close_insights()  # what close() does on a real shutdown
    restarted = create_bot(world.config_path)
    await world.env.restart_bot(restarted)
    world.bot = restarted
    shown = await world.alice.click(asked.response, label=first)
    assert shown.response.embeds[0].title.startswith("Not an answer")
