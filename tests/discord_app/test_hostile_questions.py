"""Whatever people type, through /ask, a DM and a mention: a reply, nobody pinged, and the
question shown back only escaped."""

from __future__ import annotations

import random

import discord
import pytest

from ..engine.test_hostile_input import HOSTILE, live_mentions
from .conftest import World
from .simcord_speed import fast_settle  # noqa: F401 (fixture)

pytestmark = pytest.mark.usefixtures("fast_settle")


def bot_messages(world: World) -> list:
    """Every message the bot has posted anywhere, as SimCord stored it (with what it pinged)."""
    me = world.bot.user.id
    return [m for store in world.env.backend.messages.values() for m in store.values() if m.author_id == me]


def texts_of(stored) -> list[str]:
    out = [stored.content or ""]
    for embed in stored.embeds:
        out += [embed.get("title") or "", embed.get("description") or ""]
        out += [(embed.get("footer") or {}).get("text") or ""]
        for f in embed.get("fields") or []:
            out += [f.get("name") or "", f.get("value") or ""]
    return out


def check_no_pings(world: World) -> int:
    """Nothing the bot posted pinged anyone or holds a live mention; returns how many were checked."""
    messages = bot_messages(world)
    for stored in messages:
        policy = stored.allowed_mentions
        assert not policy.everyone and not policy.users and not policy.roles and not policy.replied_user
        assert stored.ping_user_ids == [] and stored.ping_role_ids == [] and not stored.mention_everyone
        for text in texts_of(stored):
            assert live_mentions(text) == [], text
    return len(messages)


async def test_hostile_questions_through_slash(make_world):
    world = await make_world({"discord": {"cooldown_questions": 1000}})
    limit = world.bot.settings.max_question_length
    role = world.guild.create_role("Moderators", mentionable=True)
    inputs = dict(HOSTILE, live_role=f"{role.mention} @everyone when was Meng arrested?", bob=f"{world.bob.mention} hi")
    asked = 0
    for name, question in inputs.items():
        if not question.strip() or len(question) > limit:
            continue  # Discord itself refuses these option values (min length 1, max `limit`)
        result = await world.alice.slash(world.channel, "ask", question=question)
        asked += 1
        assert result.acknowledged, name
        embed = result.response.embeds[0]
        assert embed.title, name
        shown = embed.fields[0].value
        assert live_mentions(shown) == [], (name, shown)
        # Escaping only adds backslashes: without them the user's text is all there (or cut with " …").
        plain, original = shown.replace("\\", ""), question.strip().replace("\\", "")
        assert plain == original or (plain.endswith(" …") and original.startswith(plain[:-2])), (name, shown)
    assert asked >= 25
    assert check_no_pings(world) == asked


async def test_hostile_questions_through_dms(make_world):
    world = await make_world({"discord": {"cooldown_questions": 1000}})
    dm = None
    sent = 0
    for name, question in HOSTILE.items():
        if not question.strip():
            continue  # Discord refuses to send an empty message
        before = len(bot_messages(world))
        await world.alice.user.send_dm(question[:2000])  # Discord's limit without Nitro
        sent += 1
        dm = world.alice.user.dm_channel
        reply = dm.last_message
        assert reply.author.id == world.bot.user.id, name
        assert len(bot_messages(world)) == before + 1, f"{name}: exactly one reply"
        assert reply.embeds or reply.content, name
    assert check_no_pings(world) == sent >= 25
    assert dm is not None


async def test_hostile_questions_through_mentions(make_world):
    world = await make_world({"discord": {"cooldown_questions": 1000}})
    me = world.bot.user.mention
    for name, question in HOSTILE.items():
        before = len(bot_messages(world))
        # "@bot" with nothing (or only spaces) after it gets usage help; still one reply.
        asked = await world.bob.send(world.channel, f"{me} {question}"[:2000])
        reply = world.channel.last_message
        assert reply.author.id == world.bot.user.id, name
        assert reply.reference is not None and reply.reference.message_id == asked.id, name
        assert len(bot_messages(world)) == before + 1, name
    assert check_no_pings(world) == len(HOSTILE)


async def test_a_real_question_wrapped_in_noise_is_still_answered_everywhere(make_world):
    world = await make_world()
    noisy = "@everyone ||**When** was `Meng Wanzhou` arrested?|| <@&1> 🤔\u200b"
    slash = await world.alice.slash(world.channel, "ask", question=noisy)
    assert slash.response.embeds[0].footer.text.startswith("¶5")
    await world.alice.user.send_dm(noisy)
    assert world.alice.user.dm_channel.last_message.embeds[0].footer.text.startswith("¶5")
    await world.alice.send(world.channel, f"{world.bot.user.mention} {noisy}")
    assert world.channel.last_message.embeds[0].footer.text.startswith("¶5")
    check_no_pings(world)


async def test_random_text_fuzz_through_dms(make_world):
    """Deterministic fuzz (hypothesis does not mix with SimCord's async fixtures): 150 random DMs."""
    world = await make_world({"discord": {"cooldown_questions": 1000}})
    rng = random.Random(5)
    alphabet = (
        [chr(c) for c in range(0x20, 0x7F)]
        + list("\x00\x01\x1b\u200b\u200d\u202e\u0301\u0338éß漢字🤔🇨🇦\n\t")
        + ["@everyone", "@here", "<@1>", "<@&2>", "<#3>", "||", "```", "**", "Meng", "Huawei", " "]
    )
    for i in range(150):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 120))).strip() or "?"
        await world.alice.user.send_dm(text)
        reply = world.alice.user.dm_channel.last_message
        assert reply.author.id == world.bot.user.id, (i, text)
    assert check_no_pings(world) == 150


async def test_the_longest_dm_is_shortened_not_refused(make_world):
    """Nitro users may send 4,000 characters; SimCord's users cannot, so this goes through the
    shared question path the DM handler calls, then the embed the handler would send."""
    from bot.discord_app.embeds import answer_embed

    world = await make_world()
    question = ("Who decides on banning Huawei from Canada's 5G networks? @everyone " * 80)[:4000]
    outcome = await world.bot.desk.ask(world.alice.id, question, "dm")
    assert outcome.status == "answered" and outcome.truncated
    assert len(outcome.question) <= world.bot.settings.max_question_length
    assert question.startswith(outcome.question)
    embed = answer_embed(outcome.reply, outcome.question, note="question shortened")
    assert len(embed) <= 6000 and len(embed.description) <= 4096
    assert all(live_mentions(f.value) == [] for f in embed.fields)
    await world.alice.user.send_dm(question[:2000])  # the longest a non-Nitro user can send
    reply = world.alice.user.dm_channel.last_message
    assert reply.author.id == world.bot.user.id and reply.embeds[0].footer.text.startswith("¶12")
    check_no_pings(world)


async def test_nothing_the_bot_sent_in_a_whole_session_could_ping(make_world):
    """Every REST call that posts or edits a message carries allowed_mentions that parse nothing."""
    world = await make_world({"discord": {"cooldown_questions": 2}})
    hostile = "@everyone <@&1> when was Meng Wanzhou arrested?"
    await world.alice.slash(world.channel, "ask", question=hostile)
    await world.alice.slash(world.channel, "ask", question="capital of Peru @here")
    await world.alice.slash(world.channel, "ask", question=hostile)  # cooldown notice
    await world.alice.slash(world.channel, "help")
    await world.alice.slash(world.channel, "source")
    await world.bob.user.send_dm(hostile)
    await world.bob.send(world.channel, f"{world.bot.user.mention} {hostile}")
    await world.admin.slash(world.channel, "reload")  # refused
    sending = [
        r for r in world.env.http_requests
        if r.method in ("POST", "PATCH") and isinstance(r.json, dict)
        and any(k in r.json for k in ("content", "embeds", "data"))
    ]
    assert len(sending) >= 8
    for request in sending:
        body = request.json.get("data", request.json) if "data" in request.json else request.json
        if not isinstance(body, dict) or not ({"content", "embeds"} & set(body)):
            continue
        mentions = body.get("allowed_mentions")
        assert mentions is not None and mentions.get("parse") == [], (request.path, mentions)
        assert not mentions.get("users") and not mentions.get("roles") and not mentions.get("replied_user")
    check_no_pings(world)
    assert isinstance(world.bot.allowed_mentions, discord.AllowedMentions)
