"""Several stories, scoped (`discord.channels.<id>.documents`, `discord.guilds.<id>.documents`,
/ask's `story:`), as members meet them: a scoped channel never answers from another
document, and neither do the buttons under its answers."""

from __future__ import annotations

import re

import discord

from ...conftest import ROOT
from ..conftest import World, plain, story_paragraphs

SECOND = ROOT / "tests" / "data" / "second-story" / "nokia-elisa-5g.md"
HUAWEI, NOKIA = "huawei-5g-canada-china", "nokia-elisa-5g"
HUAWEI_TITLE = "Trump may bar Huawei and ZTE equipment as Canada–China tensions mount"
NOKIA_TITLE = "Nokia to build Elisa's 5G network in Finland"
MENG = "When was Meng Wanzhou arrested?"
ELISA = "Who will build Elisa's 5G network?"
FINLAND = "Did Finland ban Huawei?"
CITIES = "Which cities does the contract for radio equipment cover?"
ABSTAINED = "The story doesn't say"


async def two_story_world(make_world, settings: dict | None = None) -> World:
    return await make_world(settings, files={SECOND.name: SECOND.read_text(encoding="utf-8")})


def labels(message) -> list[str]:
    out = []
    for row in message.components:
        for c in row["components"] if isinstance(row, dict) else row.children:
            out.append(c["label"] if isinstance(c, dict) else c.label)
    return out


def second_story_texts() -> list[str]:
    body = SECOND.read_text(encoding="utf-8").split("---", 2)[2]
    return [" ".join(p.split()) for p in re.split(r"\n\s*\n", body) if p.strip()]


def quotes_from(embed: discord.Embed, texts: list[str]) -> bool:
    """Whether the embed quotes any of these paragraphs (or a good part of one)."""
    shown = " ".join(plain(embed.description or "").split())
    return any(t[:60] in shown for t in texts)


async def assert_within(world: World, message, title: str, other_title: str, other_texts: list[str]) -> int:
    """The answer and everything its buttons show come from the document titled `title`;
    returns how many passages the buttons showed."""
    embed = message.embeds[0]
    assert embed.title in (title, ABSTAINED), embed.title
    assert other_title not in (embed.description or "") and not quotes_from(embed, other_texts)
    shown = labels(message)
    clicked = 0
    if "Next match" in shown:
        page = message
        for _ in range(6):  # every match the answer offers, paged in place by its asker
            page = (await world.alice.click(page, label="Next match")).response
            assert page.embeds[0].title == title and not quotes_from(page.embeds[0], other_texts)
            clicked += 1
    if "Context" in shown:
        context = (await world.bob.click(message, label="Context")).response.embeds[0]
        assert context.title == f"Context: {title}" and not quotes_from(context, other_texts)
        clicked += 1
    for label in [label for label in shown if label.startswith("Closest")]:
        near = await world.bob.click(message, label=label)
        assert near.ephemeral and title in near.response.embeds[0].title
        assert not quotes_from(near.response.embeds[0], other_texts)
        clicked += 1
    return clicked


async def test_a_scoped_channel_never_answers_from_another_document(make_world):
    world = await two_story_world(make_world)
    huawei_only = world.guild.create_text_channel("huawei-only")
    await world.reconfigure({"channels": {huawei_only.id: {"documents": [HUAWEI]}}})

    # Unscoped, the Nokia story answers these questions.
    for question in (ELISA, FINLAND, CITIES):
        control = await world.alice.slash(world.channel, "ask", question=question)
        assert control.response.embeds[0].title == NOKIA_TITLE, question

    others = second_story_texts()
    nearest = shown = 0
    for question in (ELISA, FINLAND, CITIES, MENG, "Who decides on banning Huawei in Canada?"):
        result = await world.alice.slash(huawei_only, "ask", question=question)
        shown += await assert_within(world, result.response, HUAWEI_TITLE, NOKIA_TITLE, others)
        nearest += sum(label.startswith("Closest") for label in labels(result.response))
    assert nearest >= 3 and shown >= 10  # the buttons were there to click
    assert (await world.alice.slash(huawei_only, "ask", question=MENG)).response.embeds[0].footer.text.startswith("¶5 of 12")
    # The story it is scoped to never mentions Elisa: it says so rather than quoting something near.
    declined = (await world.alice.slash(huawei_only, "ask", question=ELISA)).response.embeds[0]
    assert declined.title == ABSTAINED and "never mentions Elisa" in declined.description

    asked = await world.bob.send(huawei_only, f"{world.bot.user.mention} {FINLAND}")  # a mention, too
    reply = huawei_only.last_message
    assert reply.reference.message_id == asked.id
    assert reply.embeds[0].title == ABSTAINED and "never mentions Finland" in reply.embeds[0].description
    assert NOKIA_TITLE not in reply.embeds[0].description
    posted = await world.alice.send(huawei_only, CITIES)  # and "Ask the story bot" on a message there
    asked_about = await world.bob.context_menu(huawei_only, "Ask the story bot", posted)
    assert asked_about.ephemeral and asked_about.response.embeds[0].title == ABSTAINED
    assert not quotes_from(asked_about.response.embeds[0], others)


async def test_a_server_scope_and_a_channel_that_overrides_it(make_world):
    world = await two_story_world(make_world)
    huawei_only = world.guild.create_text_channel("huawei-only")
    await world.reconfigure(
        {"guilds": {world.guild.id: {"documents": [NOKIA]}}, "channels": {huawei_only.id: {"documents": [HUAWEI]}}}
    )
    paragraphs = story_paragraphs()

    in_server = (await world.alice.slash(world.channel, "ask", question=MENG)).response
    assert in_server.embeds[0].title == ABSTAINED
    assert labels(in_server) == ["Why this?", "Helpful", "Not helpful"]  # nothing of Nokia's shares a word
    assert not quotes_from(in_server.embeds[0], paragraphs)
    elisa = (await world.alice.slash(world.channel, "ask", question=ELISA)).response
    await assert_within(world, elisa, NOKIA_TITLE, HUAWEI_TITLE, paragraphs)

    # The channel's own list beats the server's.
    overridden = (await world.alice.slash(huawei_only, "ask", question=MENG)).response.embeds[0]
    assert overridden.title == HUAWEI_TITLE and overridden.footer.text.startswith("¶5 of 12")
    # A DM is in no server: every document.
    await world.alice.user.send_dm(MENG)
    assert world.alice.user.dm_channel.last_message.embeds[0].title == HUAWEI_TITLE


async def test_a_thread_is_scoped_by_its_parent_channel(make_world):
    world = await two_story_world(make_world)
    nokia_threads = world.guild.create_text_channel("nokia-questions")
    await world.reconfigure({"channels": {nokia_threads.id: {"mode": "thread", "documents": [NOKIA]}}})

    await world.alice.send(nokia_threads, f"{world.bot.user.mention} {ELISA}")
    [thread] = nokia_threads.threads
    first = [m for m in thread.history() if m.author.bot][-1]
    assert first.embeds[0].title == NOKIA_TITLE

    await world.bob.send(thread, f"{world.bot.user.mention} {MENG}")  # a follow-up by mention
    follow_up = [m for m in thread.history() if m.author.bot][-1]
    assert follow_up.embeds[0].title == ABSTAINED and not quotes_from(follow_up.embeds[0], story_paragraphs())
    in_thread = await world.bob.slash(thread, "ask", question="Who decides on banning Huawei in Canada?")  # and by /ask
    await assert_within(world, in_thread.response, NOKIA_TITLE, HUAWEI_TITLE, story_paragraphs())
    assert in_thread.response.embeds[0].title == ABSTAINED and "never mentions Canada" in in_thread.response.embeds[0].description


async def test_ask_story_narrows_one_question_to_one_document(make_world):
    world = await two_story_world(make_world)

    picked = await world.alice.slash(world.channel, "ask", question=ELISA, story=HUAWEI)
    await assert_within(world, picked.response, HUAWEI_TITLE, NOKIA_TITLE, second_story_texts())
    assert picked.response.embeds[0].title == ABSTAINED
    nomatch = await world.alice.slash(world.channel, "ask", question=MENG, story=NOKIA)
    assert nomatch.response.embeds[0].title == ABSTAINED and labels(nomatch.response) == ["Why this?", "Helpful", "Not helpful"]
    # Typed by its title instead of picked from the list.
    typed = await world.alice.slash(world.channel, "ask", question=CITIES, story=NOKIA_TITLE.lower())
    assert typed.response.embeds[0].title == NOKIA_TITLE and "Tampere" in typed.response.embeds[0].description
    # Without story: both documents, as before.
    assert (await world.alice.slash(world.channel, "ask", question=MENG)).response.embeds[0].title == HUAWEI_TITLE


async def test_story_autocomplete_offers_the_titles_of_the_channels_documents(make_world):
    world = await two_story_world(make_world)
    huawei_only = world.guild.create_text_channel("huawei-only")
    await world.reconfigure({"channels": {huawei_only.id: {"documents": [HUAWEI]}}})

    everything = await world.alice.autocomplete(world.channel, "ask", "story", "")
    assert sorted((c["name"], c["value"]) for c in everything) == sorted([(HUAWEI_TITLE, HUAWEI), (NOKIA_TITLE, NOKIA)])
    assert [c["value"] for c in await world.alice.autocomplete(world.channel, "ask", "story", "elisa")] == [NOKIA]
    assert [c["value"] for c in await world.alice.autocomplete(huawei_only, "ask", "story", "")] == [HUAWEI]
    assert await world.alice.autocomplete(huawei_only, "ask", "story", "elisa") == []


async def test_a_story_outside_the_channels_documents_is_refused_privately(make_world):
    world = await two_story_world(make_world)
    huawei_only = world.guild.create_text_channel("huawei-only")
    await world.reconfigure({"channels": {huawei_only.id: {"documents": [HUAWEI]}}})
    before = len(huawei_only.history())

    refused = await world.alice.slash(huawei_only, "ask", question=CITIES, story=NOKIA)
    assert refused.ephemeral and not refused.response.embeds
    assert f"“{NOKIA}” is not one of the stories I answer from here" in refused.response.content
    assert HUAWEI_TITLE in refused.response.content and NOKIA_TITLE not in refused.response.content
    assert len(huawei_only.history()) == before  # nothing posted in the channel
    unknown = await world.alice.slash(world.channel, "ask", question=CITIES, story="the weather")
    assert unknown.ephemeral and "“the weather” is not one of the stories" in unknown.response.content


async def test_a_scope_naming_an_unknown_document_fails_the_reload_and_keeps_the_old_one(make_world):
    world = await two_story_world(make_world)
    channel = world.guild.create_text_channel("typo")
    await world.reconfigure({"channels": {channel.id: {"documents": [NOKIA]}}})
    config = world.config_path.read_text(encoding="utf-8")
    world.config_path.write_text(config.replace(f"- {NOKIA}", "- nokia"), encoding="utf-8")

    result = await world.operator.user.slash("reload")

    text = re.sub(r"\\(.)", r"\1", result.response.content)  # without its Markdown escapes
    assert text.startswith("Reload failed"), text
    assert f"'discord.channels.{channel.id}.documents[0]': no document 'nokia' in the corpus (known: {HUAWEI}, {NOKIA})" in text
    kept = await world.alice.slash(channel, "ask", question=MENG)  # the old scope is still in force
    assert kept.response.embeds[0].title == ABSTAINED


async def test_why_this_counts_inside_the_scope(make_world):
    """Why this? says what the decision said: inside the scope, "Elisa" is a word the story never uses."""
    world = await two_story_world(make_world)
    huawei_only = world.guild.create_text_channel("huawei-only")
    await world.reconfigure({"channels": {huawei_only.id: {"documents": [HUAWEI]}}})

    scoped = await world.alice.slash(huawei_only, "ask", question=ELISA)
    why = (await world.bob.click(scoped.response, label="Why this?")).response.embeds[0].description
    assert re.search(r"The story never uses: [^\n]*`elisa`", why), why
    everywhere = await world.alice.slash(world.channel, "ask", question=ELISA)
    assert everywhere.response.embeds[0].title == NOKIA_TITLE
    # Narrowed by story: in an unscoped channel, the id carries the one document.
    narrowed = await world.alice.slash(world.channel, "ask", question=ELISA, story=HUAWEI)
    why = (await world.bob.click(narrowed.response, label="Why this?")).response.embeds[0].description
    assert re.search(r"The story never uses: [^\n]*`elisa`", why), why
    plain_why = (await world.bob.click(everywhere.response, label="Why this?")).response.embeds[0].description
    assert "never uses" not in plain_why


async def test_a_forum_post_is_answered_from_its_forums_documents(make_world):
    from ..forums.test_forums import post

    world = await two_story_world(make_world)
    forum = world.guild.create_forum_channel("nokia-desk")
    await world.reconfigure({"channels": {forum.id: {"mode": "forum", "documents": [NOKIA]}}})

    answered = await post(world, forum, world.alice, CITIES, "Asking for our office.")
    declined = await post(world, forum, world.bob, MENG, "The date, please.")

    [first] = [m for m in answered.history() if m.author.bot]
    assert first.embeds[0].title == NOKIA_TITLE and "Tampere" in first.embeds[0].description
    [second] = [m for m in declined.history() if m.author.bot]
    assert second.embeds[0].title == ABSTAINED and not quotes_from(second.embeds[0], story_paragraphs())
