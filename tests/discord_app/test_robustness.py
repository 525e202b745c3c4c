"""Limits, pings, cooldown and failures: what Discord would reject or abuse, and what
happens when something breaks."""

from __future__ import annotations

from bot.engine import Engine

from .conftest import plain

MENG = "When was Meng Wanzhou arrested?"


def _stored(world, channel_id: int, message_id: int):
    """SimCord's record of a message the bot sent, including who it actually pinged."""
    return world.env.backend.get_message(channel_id, message_id)


def _assert_pings_nobody(stored) -> None:
    policy = stored.allowed_mentions
    assert not policy.everyone and policy.users == frozenset() and policy.roles == frozenset()
    assert not policy.replied_user
    assert stored.ping_user_ids == [] and stored.ping_role_ids == [] and not stored.mention_everyone


async def test_everyone_and_role_mentions_in_a_question_ping_nobody(make_world):
    world = await make_world()
    role = world.guild.create_role("Moderators", mentionable=True)
    hostile = f"@everyone @here {role.mention} {world.bob.mention} **When** was `Meng` Wanzhou arrested?"

    asked = await world.alice.send(world.channel, f"{world.bot.user.mention} {hostile}")
    reply = world.channel.last_message
    assert reply.author.id == world.bot.user.id and reply.reference.message_id == asked.id
    _assert_pings_nobody(_stored(world, world.channel.id, reply.id))
    assert not reply.mention_everyone and reply.role_mentions == []

    result = await world.alice.slash(world.channel, "ask", question=hostile)
    _assert_pings_nobody(_stored(world, world.channel.id, result.response.id))
    shown = result.response.embeds[0].fields[0].value  # the question echoed back, escaped
    assert "\\@everyone" in shown and "\\@here" in shown and "\\<\\@" in shown
    assert "\\*\\*When\\*\\*" in shown and "\\`Meng\\`" in shown


async def test_a_5000_character_passage_fits_discord_limits(make_world):
    sentences = [f"The harbour commission reviewed shipment number {i} of steel girders and concrete blocks." for i in range(70)]
    paragraph = " ".join(sentences)
    assert len(paragraph) > 5000
    doc = f"---\ntitle: Harbour report\nsource: Example Wire\n---\n\n{paragraph}\n"
    world = await make_world({"passages": {"max_chars": 20000}}, files={"harbour.md": doc}, story=False)

    result = await world.alice.slash(world.channel, "ask", question="What did the harbour commission review?")
    embed = result.response.embeds[0]
    assert embed.title == "Harbour report"
    assert len(embed.description) <= 4096 and len(embed) <= 6000
    quoted = plain(embed.description)
    assert quoted.endswith(" …")
    kept = quoted[: -len(" …")]
    assert paragraph.startswith(kept) and len(kept) > 2000
    assert paragraph[len(kept)] == " "  # cut between words, never inside one
    assert embed.footer.text.startswith("¶1 of 1")


async def test_cooldown_is_per_user_polite_ephemeral_and_expires(make_world):
    world = await make_world({"discord": {"cooldown_questions": 2, "cooldown_seconds": 60}})
    for _ in range(2):
        ok = await world.alice.slash(world.channel, "ask", question=MENG)
        assert ok.response.embeds
    limited = await world.alice.slash(world.channel, "ask", question=MENG)
    assert limited.ephemeral and not limited.response.embeds
    assert "Please wait 60 seconds" in limited.response.content

    other = await world.bob.slash(world.channel, "ask", question=MENG)  # others are unaffected
    assert other.response.embeds and not other.ephemeral

    await world.env.advance_time(61)
    again = await world.alice.slash(world.channel, "ask", question=MENG)
    assert again.response.embeds and not again.ephemeral


async def test_cooldown_in_a_channel_explains_once_per_wait(make_world):
    world = await make_world({"discord": {"cooldown_questions": 1, "cooldown_seconds": 30}})
    mention = world.bot.user.mention
    await world.alice.send(world.channel, f"{mention} {MENG}")
    await world.alice.send(world.channel, f"{mention} {MENG}")
    await world.alice.send(world.channel, f"{mention} {MENG}")
    from_bot = [m for m in world.channel.history() if m.author.id == world.bot.user.id]
    assert len(from_bot) == 2  # the answer and one notice; the third message is not answered
    notices = [m for m in from_bot if "Please wait" in m.content]
    assert len(notices) == 1 and not notices[0].embeds


async def test_rest_failure_on_an_answer_tells_the_user_and_the_bot_keeps_working(make_world):
    world = await make_world()
    world.env.inject_error("POST", "/interactions/*/*/callback", status=500, times=1)
    failed = await world.alice.slash(world.channel, "ask", question=MENG)
    assert failed.acknowledged and failed.ephemeral
    assert "something went wrong" in failed.response.content

    ok = await world.alice.slash(world.channel, "ask", question=MENG)
    assert ok.response.embeds[0].footer.text.startswith("¶5")


async def test_rest_failure_on_a_dm_reply_is_survived(make_world):
    world = await make_world()
    world.env.inject_error("POST", "/channels/*/messages", status=503, times=2)  # answer and apology both fail
    await world.alice.user.send_dm(MENG)
    dm = world.alice.user.dm_channel
    assert all(m.author.id != world.bot.user.id for m in dm.history())

    await world.alice.user.send_dm(MENG)
    assert dm.last_message.author.id == world.bot.user.id
    assert dm.last_message.embeds[0].footer.text.startswith("¶5")


async def test_slow_answers_are_deferred_then_delivered_once(make_world):
    world = await make_world()
    world.bot.desk.acknowledge_after = 0  # as if the engine were slower than the deadline allows
    result = await world.alice.slash(world.channel, "ask", question=MENG)
    callbacks = [r.json["type"] for r in world.env.http_requests if r.path.endswith("/callback")]
    assert callbacks == [5]  # one acknowledgement: "thinking…" (deferred channel message)
    assert result.acknowledged and not result.ephemeral
    assert result.response.embeds[0].footer.text.startswith("¶5")
    assert result.followups == []  # the deferred message was completed, not answered twice


async def test_a_failing_question_does_not_affect_others(make_world, monkeypatch):
    world = await make_world()
    real_ask = Engine.ask

    def ask(self, question, top=None, documents=None):
        if "explode" in question:
            raise RuntimeError("simulated engine bug")
        return real_ask(self, question, top, documents)

    monkeypatch.setattr(Engine, "ask", ask)
    failed = await world.alice.slash(world.channel, "ask", question="please explode")
    assert failed.ephemeral and "something went wrong" in failed.response.content

    await world.bob.user.send_dm("explode again")
    assert "something went wrong" in world.bob.user.dm_channel.last_message.content

    ok = await world.alice.slash(world.channel, "ask", question=MENG)
    assert ok.response.embeds[0].footer.text.startswith("¶5")


async def test_bot_requests_no_privileged_intent(make_world):
    world = await make_world()
    intents = world.bot.intents
    assert not intents.message_content and not intents.members and not intents.presences
    assert world.bot.allowed_mentions.everyone is False
    assert world.bot.allowed_mentions.users is False and world.bot.allowed_mentions.roles is False


async def test_an_unexpected_error_in_a_command_gets_a_short_private_notice(make_world, monkeypatch):
    from bot.discord_app.help import _cog as help_cog

    def broken(*args, **kwargs):
        raise RuntimeError("simulated bug")

    world = await make_world()
    monkeypatch.setattr(help_cog, "source_embed", broken)
    result = await world.alice.slash(world.channel, "source")
    assert result.ephemeral and "something went wrong" in result.response.content
    # SimCord records what reached the tree's error handler; it is this bug and nothing else.
    captured = world.take_errors()
    assert len(captured) == 1 and "simulated bug" in str(captured[0])
    ok = await world.alice.slash(world.channel, "help")  # the bot carries on
    assert ok.response.embeds
