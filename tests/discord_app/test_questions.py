"""The shared question path and the engine holder, driven directly (no Discord)."""

from __future__ import annotations

import asyncio

from bot.discord_app.cooldown import Cooldowns
from bot.discord_app.holder import EngineHolder
from bot.discord_app.questions import QuestionDesk, cap

from ..conftest import STORY

NEW_DOC = "---\ntitle: Halifax\n---\n\nThe Port of Halifax opened a container terminal on Tuesday.\n"


def test_cap_cuts_long_questions_at_a_word():
    text, cut = cap("  when was   meng arrested  ", 100)
    assert (text, cut) == ("when was   meng arrested", False)
    long = "word " * 100
    text, cut = cap(long, 42)
    assert cut and len(text) <= 42 and text.endswith("word") and long.startswith(text)


def test_cooldown_window_slides():
    now = [0.0]
    limits = Cooldowns(rate=2, per=10, clock=lambda: now[0])
    assert limits.hit(1) == 0 and limits.hit(1) == 0
    assert limits.hit(1) == 10  # third within the window
    assert limits.hit(2) == 0  # another user is unaffected
    now[0] = 4.0
    assert limits.hit(1) == 6
    now[0] = 10.0
    assert limits.hit(1) == 0  # the first question has left the window
    assert Cooldowns(rate=1, per=0).hit(1) == 0 and Cooldowns(rate=1, per=0).hit(1) == 0  # 0 s: no limit


async def test_questions_during_a_reload_are_all_answered_by_one_whole_index(make_corpus):
    config = make_corpus({STORY.name: STORY.read_text(encoding="utf-8")}, "corpus:\n  path: corpus\ndiscord:\n  cooldown_seconds: 0\n")
    holder = EngineHolder(config)
    await holder.load()
    desk = QuestionDesk(holder)
    (config.parent / "corpus" / "halifax.md").write_text(NEW_DOC, encoding="utf-8")

    questions = [desk.ask(i, "When was Meng Wanzhou arrested?", "dm") for i in range(60)]
    reload, *outcomes = await asyncio.gather(holder.reload(), *questions)

    assert reload.ok and (reload.documents_before, reload.documents_after) == (1, 2)
    assert [o.status for o in outcomes] == ["answered"] * 60
    assert {o.engine.documents for o in outcomes} <= {1, 2}
    assert all(o.reply.citation.startswith("¶5 of 12") for o in outcomes)


async def test_cooldown_holds_when_one_user_floods(make_corpus):
    config = make_corpus({STORY.name: STORY.read_text(encoding="utf-8")}, "corpus:\n  path: corpus\ndiscord:\n  cooldown_questions: 3\n")
    holder = EngineHolder(config)
    await holder.load()
    desk = QuestionDesk(holder)
    flood = await asyncio.gather(*(desk.ask(7, "Who is Ritesh Kotak?", "slash") for _ in range(20)))
    others = await asyncio.gather(*(desk.ask(100 + i, "Who is Ritesh Kotak?", "slash") for i in range(5)))
    assert sum(o.status == "answered" for o in flood) == 3
    assert sum(o.status == "cooldown" for o in flood) == 17
    assert [o.first_notice for o in flood if o.status == "cooldown"].count(True) == 1
    assert all(o.status == "answered" for o in others)


async def test_failed_reload_keeps_the_engine(make_corpus):
    config = make_corpus({STORY.name: STORY.read_text(encoding="utf-8")})
    holder = EngineHolder(config)
    engine = await holder.load()
    config.write_text("corpus: [not, a, mapping]\n", encoding="utf-8")
    report = await holder.reload()
    assert not report.ok and str(config) in report.error and "corpus" in report.error
    assert holder.engine is engine
