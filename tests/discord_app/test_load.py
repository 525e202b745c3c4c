"""Load: 1,000 questions from 100 people through SimCord, and 1,000 at once into the bot's
shared question path while a reload swaps the index. Nothing lost, nothing answered twice,
the per-user cooldown holds."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import Counter

import pytest

from bot.insights.records import QuestionRecord
from bot.engine import Engine

from .simcord_speed import fast_settle  # noqa: F401 (fixture)

log = logging.getLogger(__name__)

ANSWERABLE = {
    "When was Meng Wanzhou arrested?": "¶5",
    "Who is Michael Kovrig?": "¶7",
    "Which countries banned Huawei from building 5G networks?": "¶2",
    "Who decides on banning Huawei from Canada's 5G networks?": "¶12",
}
UNANSWERABLE = ["What is the capital of Peru?", "How tall is the CN Tower?"]
QUESTIONS = list(ANSWERABLE) + UNANSWERABLE
HALIFAX = "---\ntitle: Halifax\n---\n\nThe Port of Halifax opened a container terminal on Tuesday.\n"


def footer_of(message) -> str:
    return message.embeds[0].footer.text if message.embeds and message.embeds[0].footer else ""


def expect(question: str, footer: str, title: str) -> None:
    if question in ANSWERABLE:
        assert footer.startswith(ANSWERABLE[question] + " of 12"), (question, footer)
    else:
        assert title == "The story doesn't say", (question, title)


@pytest.mark.usefixtures("fast_settle")
async def test_1000_questions_from_100_people_through_simcord(make_world):
    world = await make_world({"discord": {"cooldown_questions": 10, "cooldown_seconds": 60}})
    people = [world.guild.add_member(world.env.create_user(f"reader{i}")) for i in range(100)]
    me = world.bot.user.mention
    slash_results = []
    started = time.perf_counter()
    for n in range(1000):
        person = people[n % 100]
        question = QUESTIONS[(n // 100 + n) % len(QUESTIONS)]
        surface = ("slash", "slash", "slash", "dm", "mention")[n % 5]
        if surface == "slash":
            result = await person.slash(world.channel, "ask", question=question)
            assert result.acknowledged and result.response is not None, n
            embed = result.response.embeds[0]
            expect(question, embed.footer.text if embed.footer else "", embed.title)
            slash_results.append(result)
        elif surface == "dm":
            await person.user.send_dm(question)
            reply = person.user.dm_channel.last_message
            assert reply.author.id == world.bot.user.id, n
            expect(question, footer_of(reply), reply.embeds[0].title)
        else:
            asked = await person.send(world.channel, f"{me} {question}")
            # SimCord's channel.last_message rebuilds the whole history (slow at this size): read its store.
            reply = next(reversed(world.env.backend.messages[world.channel.id].values()))
            assert reply.author_id == world.bot.user.id and int(reply.reference["message_id"]) == asked.id, n
            embed = reply.embeds[0]
            expect(question, (embed.get("footer") or {}).get("text", ""), embed["title"])
    elapsed = time.perf_counter() - started
    log.info("1000 questions through SimCord in %.1f s", elapsed)

    # Exactly one acknowledgement per slash command (Discord rejects a second one).
    callbacks = Counter(r.path.split("/")[2] for r in world.env.http_requests if r.path.endswith("/callback"))
    assert len(slash_results) == 600 and len(callbacks) == 600 and set(callbacks.values()) == {1}
    # One reply per DM and mention, nothing else: 1,000 messages from the bot in all.
    me_id = world.bot.user.id
    sent = [m for store in world.env.backend.messages.values() for m in store.values() if m.author_id == me_id]
    assert len(sent) == 1000
    assert elapsed < 60, f"{elapsed:.1f} s"  # ~4 s on the 2-core dev machine; catches a pathological slowdown


async def test_1000_questions_at_once_during_a_reload(make_world):
    """Straight into the coroutine the slash, DM and mention handlers share (`bot.desk.ask`),
    1,000 at once while an operator's reload runs: every question answered exactly once,
    acknowledged at most once, and the cooldown exact under concurrency."""
    world = await make_world({"discord": {"cooldown_questions": 10, "cooldown_seconds": 600}})
    bot = world.bot
    bot.desk.acknowledge_after = 0  # acknowledge every question, to count acknowledgements
    records: list[QuestionRecord] = []
    bot.desk.listeners.append(records.append)
    (world.corpus / "halifax.md").write_text(HALIFAX, encoding="utf-8")
    old = bot.holder.engine

    acks: Counter[int] = Counter()

    def ask(n: int, user: int, question: str):
        async def acknowledge() -> None:
            acks[n] += 1

        return bot.desk.ask(user, question, ("slash", "dm", "mention")[n % 3], acknowledge=acknowledge)

    flooder = 424242
    jobs = [(n, flooder, QUESTIONS[n % len(QUESTIONS)]) for n in range(50)]
    jobs += [(50 + i, 1000 + i % 95, QUESTIONS[i % len(QUESTIONS)]) for i in range(950)]  # 95 people × 10
    started = time.perf_counter()
    report, *outcomes = await asyncio.gather(bot.holder.reload(), *(ask(*job) for job in jobs))
    for outcome in outcomes:  # as each surface does once Discord took the answer
        bot.desk.delivered(outcome, True)
    log.info("1000 concurrent questions during a reload in %.1f s", time.perf_counter() - started)

    assert report.ok and (report.documents_before, report.documents_after) == (1, 2)
    assert bot.holder.engine is not old and bot.holder.engine.documents == 2
    statuses = Counter(o.status for o in outcomes)
    assert statuses["error"] == 0 and len(outcomes) == 1000

    flood = outcomes[:50]
    assert [o.status for o in flood].count("cooldown") == 40  # exactly cooldown_questions got through
    assert sum(o.first_notice for o in flood if o.status == "cooldown") == 1  # one notice per wait
    assert all(o.status != "cooldown" for o in outcomes[50:])  # nobody else was slowed down

    for (n, user, question), outcome in zip(jobs, outcomes):
        if outcome.status == "cooldown":
            assert acks[n] == 0
            continue
        assert acks[n] == 1, n  # acknowledged once, never twice
        assert outcome.engine.documents in (1, 2)  # the old index or the new one, whole
        if question in ANSWERABLE:
            assert outcome.status == "answered" and outcome.reply.citation.startswith(ANSWERABLE[question])
        else:
            assert outcome.status == "abstained"
    # Every answered question was recorded exactly once (the log line and /stats come from these).
    answered_users = Counter(user for (n, user, q), o in zip(jobs, outcomes) if o.status != "cooldown")
    assert Counter(r.user_id for r in records) == answered_users
    assert len(records) == 960


@pytest.mark.usefixtures("fast_settle")
async def test_100_questions_through_simcord_while_a_reload_is_in_progress(make_world, monkeypatch):
    world = await make_world({"discord": {"cooldown_questions": 1000}})
    bot = world.bot
    old = bot.holder.engine
    (world.corpus / "halifax.md").write_text(HALIFAX, encoding="utf-8")
    building, release = threading.Event(), threading.Event()
    real_load = Engine.load

    def slow_load(*args, **kwargs):
        building.set()
        assert release.wait(30), "test never released the reload"
        return real_load(*args, **kwargs)

    monkeypatch.setattr(Engine, "load", slow_load)
    reload = asyncio.ensure_future(bot.holder.reload())  # as /reload starts it; held mid-build
    await asyncio.to_thread(building.wait, 10)
    try:
        for n in range(100):
            question = QUESTIONS[n % len(QUESTIONS)]
            result = await world.alice.slash(world.channel, "ask", question=question)
            embed = result.response.embeds[0]
            expect(question, embed.footer.text if embed.footer else "", embed.title)
            assert bot.holder.engine is old  # still the old index, answering
        assert not reload.done()
    finally:
        release.set()
    report = await reload
    assert report.ok and report.documents_after == 2
    after = await world.alice.slash(world.channel, "ask", question="When did the Port of Halifax open a terminal?")
    assert after.response.embeds[0].title == "Halifax"
