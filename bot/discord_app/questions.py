"""The one path every question takes, whether it came from /ask, a DM or a mention.

Admission (per-user cooldown), length cap, the engine in a worker thread, the
rendered Reply, one log line, and, for each question let through, one QuestionRecord
handed to every listener (the insights log is one; a cooldown is only a log line). It never raises: whatever goes wrong becomes an Outcome the
surface can turn into a short, friendly message, so one bad question cannot affect
any other.

The question is cut here to `discord.max_question_length`, at a word boundary; the
config guarantees that is within the engine's own cut (`answers.max_question_chars`),
so the engine never cuts a question Discord accepted.

An answer's log line is written, and its record handed to the listeners, once the
surface says how delivering it went (`delivered`): the line says `delivery=delivered`
or `delivery=failed`, and only an answer the member received is told to the listeners,
so the insights log never counts as answered what nobody got.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Awaitable, Callable, Literal

from ..engine import Answer, Engine
from ..engine.scope import Scope
from ..engine.topics import Topic, topics
from .. import insights
from ..insights.records import QuestionRecord
from ..presentation import Reply, paragraph_span, render
from .cooldown import Cooldowns
from .holder import EngineHolder

log = logging.getLogger(__name__)

Status = Literal["answered", "abstained", "cooldown", "error"]  # insights.records.STATUSES
Surface = Literal["slash", "dm", "mention", "context_menu", "forum"]


@dataclass(frozen=True)
class Outcome:
    status: Status
    question: str  # as answered: whitespace-trimmed and capped
    reply: Reply | None = None
    answer: Answer | None = None
    engine: Engine | None = None  # the index that answered (a reload may swap it afterwards)
    retry_after: float = 0.0  # for "cooldown": seconds until the user may ask again
    first_notice: bool = True  # for "cooldown": False when this window was already explained
    truncated: bool = False
    seconds: float = 0.0
    answer_id: str = ""  # the id its buttons and the insights log share
    record: QuestionRecord | None = None  # an answer's or abstention's: logged once delivered


Listener = Callable[[QuestionRecord], None]


def cap(text: str, limit: int) -> tuple[str, bool]:
    """Trim and cut to `limit` characters at a word boundary; says whether it cut."""
    text = text.strip()
    if len(text) <= limit:
        return text, False
    head = text[:limit]
    space = head.rfind(" ")
    return (head[:space] if space > limit // 2 else head).rstrip(), True


class QuestionDesk:
    def __init__(self, holder: EngineHolder, clock: Callable[[], float] | None = None) -> None:
        self.holder = holder
        self.clock = clock or (lambda: time.monotonic())
        self.listeners: list[Listener] = []
        # Seconds a surface may take before it must acknowledge (Discord allows 3);
        # 0 acknowledges before any work.
        self.acknowledge_after = 1.5
        self._cooldowns: Cooldowns | None = None
        self._noticed_until: dict[int, float] = {}

    def _cooldowns_now(self) -> Cooldowns:
        settings = self.holder.settings
        current = self._cooldowns
        if current is None or (current.rate, current.per) != (settings.cooldown_questions, settings.cooldown_seconds):
            current = self._cooldowns = Cooldowns(settings.cooldown_questions, settings.cooldown_seconds, self.clock)
        return current

    async def ask(
        self,
        user_id: int,
        text: str,
        surface: Surface,
        acknowledge: Callable[[], Awaitable[None]] | None = None,
        documents: Scope = None,
    ) -> Outcome:
        """Answer `text` for `user_id` from `documents` (scopes.py; None: all). `acknowledge`
        runs if the answer takes a while (a slash command defers, a channel shows "typing")."""
        started = time.perf_counter()
        engine = self.holder.engine  # one index for the whole question, even if a reload swaps it
        settings = self.holder.settings  # read with the engine: the settings of that config
        question, truncated = cap(text, settings.max_question_length)
        answer_id = insights.new_answer_id()  # the one place answer ids are made
        try:
            wait = self._cooldowns_now().hit(user_id)
        except Exception:
            log.exception("cooldown check failed; letting the question through")
            wait = 0.0
        if wait > 0:
            now = self.clock()
            first = self._noticed_until.get(user_id, -1.0) <= now
            self._noticed_until[user_id] = now + wait
            if len(self._noticed_until) > 4096:
                self._noticed_until = {k: v for k, v in self._noticed_until.items() if v > now}
            log.info("question surface=%s outcome=cooldown retry_after=%.1fs", surface, wait)
            return Outcome("cooldown", question, retry_after=wait, first_notice=first, truncated=truncated)

        try:
            work = asyncio.ensure_future(asyncio.to_thread(_answer, engine, question, settings.example_questions, documents))
            if acknowledge is not None:
                if self.acknowledge_after > 0:
                    await asyncio.wait({work}, timeout=self.acknowledge_after)
                if not work.done():
                    try:
                        await acknowledge()
                    except Exception:
                        log.warning("could not acknowledge a %s question in time", surface, exc_info=True)
            answer, reply, terms = await work
        except asyncio.CancelledError:
            raise
        except Exception:
            seconds = time.perf_counter() - started
            log.exception("question surface=%s outcome=error ms=%d", surface, seconds * 1000)
            self._tell(QuestionRecord.failed("error", surface, user_id, question, answer_id, seconds))
            return Outcome("error", question, engine=engine, truncated=truncated, seconds=seconds, answer_id=answer_id)

        seconds = time.perf_counter() - started
        record = QuestionRecord.from_answer(answer, surface, user_id, answer_id, seconds, terms=terms)
        status: Status = "answered" if record.answered else "abstained"
        return Outcome(
            status, question, reply, answer, engine, truncated=truncated, seconds=seconds, answer_id=answer_id, record=record
        )

    def delivered(self, outcome: Outcome, ok: bool) -> None:
        """The surface sent the answer (ok) or Discord refused it: now its log line is
        written, saying which, and the listeners hear of it if the member received it."""
        record = outcome.record
        if record is None or outcome.engine is None:
            return
        self._log(record, outcome.engine, "delivered" if ok else "failed")
        if ok:
            self._tell(record)

    def _log(self, record: QuestionRecord, engine: Engine, delivery: str) -> None:
        where = "-"
        if record.document_id is not None and record.paragraphs is not None:
            where = f"{record.document_id} {paragraph_span(record.paragraphs)}"
        line = (
            f"question surface={record.surface} outcome={record.status} at={where} "
            f"score={record.score if record.score is not None else 0:.2f} "
            f"coverage={record.coverage or 0:.2f} ms={record.seconds * 1000:.0f} delivery={delivery}"
        )
        if engine.config.logging.log_question_text:
            line += f" text={record.question!r}"
        log.info("%s", line)

    def _tell(self, record: QuestionRecord) -> None:
        for listener in list(self.listeners):
            try:
                listener(record)
            except Exception:
                log.exception("question listener %r failed", listener)


def _answer(
    engine: Engine, question: str, examples: tuple[str, ...], documents: Scope = None
) -> tuple[Answer, Reply, tuple[Topic, ...]]:
    """Runs in a worker thread: ranking and rendering are the CPU-bound part. The question's
    subject terms go to the insights log (kept only if it was declined or marked not helpful)."""
    answer = engine.ask(question, documents=documents)
    return answer, render(answer, engine, examples), topics(answer, engine.index.analyzer)
