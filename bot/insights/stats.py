"""The operator's numbers, computed from the log: one dataclass, rendered by the CLI and by /stats.

"Today" is the current UTC day (the bot's servers and its operators rarely share a
time zone; UTC is the one answer that never shifts). Rows past the retention period
are never counted, even if the purge has not run yet.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from typing import Any, Mapping

from ..presentation import paragraph_span
from .store import InsightsStore, Query

DAY = 86_400


@dataclass(frozen=True)
class Counts:
    questions: int = 0
    answered: int = 0
    abstained: int = 0
    helpful: int = 0
    not_helpful: int = 0
    people: int = 0  # distinct (hashed) users who asked

    @property
    def answered_share(self) -> float | None:
        return self.answered / self.questions if self.questions else None


@dataclass(frozen=True)
class ParagraphCount:
    document_id: str
    paragraphs: tuple[int, int]
    questions: int
    helpful: int = 0
    not_helpful: int = 0


@dataclass(frozen=True)
class LoggedQuestion:
    asked_at: datetime
    question: str
    document_id: str | None = None  # the passage that was shown (None: abstained)
    paragraphs: tuple[int, int] | None = None


@dataclass(frozen=True)
class Stats:
    generated_at: datetime
    today: Counts
    last_7_days: Counts
    retained: Counts  # everything still kept (see retention_days)
    top_paragraphs: tuple[ParagraphCount, ...]
    question_text_logged: bool
    recent_unanswered: tuple[LoggedQuestion, ...]
    recent_not_helpful: tuple[LoggedQuestion, ...]
    retention_days: int
    oldest: datetime | None

    def to_json(self) -> dict[str, Any]:
        def convert(value: Any) -> Any:
            if isinstance(value, datetime):
                return value.isoformat()
            if isinstance(value, dict):
                return {k: convert(v) for k, v in value.items()}
            if isinstance(value, (list, tuple)):
                return [convert(v) for v in value]
            return value

        return convert(asdict(self))


def _utc(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, tz=timezone.utc)


def _counts(query: Query, since: float) -> Counts:
    q = query(
        "SELECT count(*), coalesce(sum(answered), 0), count(DISTINCT user_hash) FROM questions WHERE asked_at >= ?",
        (since,),
    )[0]
    f = query(
        "SELECT coalesce(sum(helpful), 0), coalesce(sum(1 - helpful), 0) FROM feedback WHERE given_at >= ?",
        (since,),
    )[0]
    return Counts(
        questions=q[0], answered=q[1], abstained=q[0] - q[1], helpful=f[0], not_helpful=f[1], people=q[2]
    )


def compute_stats(store: InsightsStore, now: float | None = None, top: int = 5, recent: int = 5) -> Stats:
    """All the numbers from one snapshot of the log (on the store's reading connection).

    Raises InsightsError saying what is wrong when the database cannot be read.
    """
    with store.reading() as query:
        return _compute(store, query, now, top, recent)


def _compute(store: InsightsStore, query: Query, now: float | None, top: int, recent: int) -> Stats:
    now = store.now() if now is None else now
    floor = store.cutoff()
    floor = float("-inf") if floor is None else floor
    start_of_day = (now // DAY) * DAY  # unix time has no leap seconds: UTC midnight
    week = now - 7 * DAY

    top_rows = query(
        "SELECT q.document_id, q.first_paragraph, q.last_paragraph, count(*) AS n,"
        " (SELECT count(*) FROM feedback f WHERE f.document_id = q.document_id"
        "   AND f.first_paragraph = q.first_paragraph AND f.helpful = 1 AND f.given_at >= ?),"
        " (SELECT count(*) FROM feedback f WHERE f.document_id = q.document_id"
        "   AND f.first_paragraph = q.first_paragraph AND f.helpful = 0 AND f.given_at >= ?)"
        " FROM questions q WHERE q.answered = 1 AND q.asked_at >= ?"
        " GROUP BY q.document_id, q.first_paragraph, q.last_paragraph"
        " ORDER BY n DESC, q.document_id, q.first_paragraph LIMIT ?",
        (floor, floor, floor, top),
    )
    unanswered: list[tuple[Any, ...]] = []
    not_helpful: list[tuple[Any, ...]] = []
    if store.log_question_text:
        unanswered = query(
            "SELECT asked_at, question, NULL, NULL, NULL FROM questions"
            " WHERE answered = 0 AND question IS NOT NULL AND asked_at >= ?"
            " ORDER BY asked_at DESC LIMIT ?",
            (floor, recent),
        )
        not_helpful = query(
            "SELECT f.given_at, q.question, f.document_id, f.first_paragraph, f.last_paragraph"
            " FROM feedback f JOIN questions q ON q.answer_id = f.answer_id"
            " WHERE f.helpful = 0 AND q.question IS NOT NULL AND f.given_at >= ?"
            " ORDER BY f.given_at DESC LIMIT ?",
            (floor, recent),
        )
    oldest = query("SELECT min(asked_at) FROM questions WHERE asked_at >= ?", (floor,))[0][0]

    def logged(rows: list[tuple[Any, ...]]) -> tuple[LoggedQuestion, ...]:
        return tuple(
            LoggedQuestion(_utc(ts), text, doc, (first, last) if first is not None else None)
            for ts, text, doc, first, last in rows
        )

    return Stats(
        generated_at=_utc(now),
        today=_counts(query, max(start_of_day, floor)),
        last_7_days=_counts(query, max(week, floor)),
        retained=_counts(query, floor),
        top_paragraphs=tuple(ParagraphCount(d, (f, l), n, h, u) for d, f, l, n, h, u in top_rows),
        question_text_logged=store.log_question_text,
        recent_unanswered=logged(unanswered),
        recent_not_helpful=logged(not_helpful),
        retention_days=store.retention_days,
        oldest=_utc(oldest) if oldest is not None else None,
    )


def percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "–"


def counts_line(c: Counts) -> str:
    return (
        f"{c.questions} question(s) from {c.people} person(s): {c.answered} answered ({percent(c.answered, c.questions)}),"
        f" {c.abstained} abstained; feedback {c.helpful} helpful, {c.not_helpful} not helpful"
    )


def format_stats(stats: Stats, titles: Mapping[str, str] | None = None) -> str:
    """Plain text for the terminal; `titles` maps document ids to titles when known."""
    titles = titles or {}
    lines = [
        f"Today (UTC):   {counts_line(stats.today)}",
        f"Last 7 days:   {counts_line(stats.last_7_days)}",
        f"All kept:      {counts_line(stats.retained)}",
    ]
    kept = "forever" if stats.retention_days <= 0 else f"{stats.retention_days} days"
    since = stats.oldest.strftime("%Y-%m-%d %H:%M UTC") if stats.oldest else "no questions yet"
    lines.append(f"Kept for {kept}; oldest question: {since}")
    lines.append("")
    lines.append("Most asked paragraphs:")
    if not stats.top_paragraphs:
        lines.append("  (none yet)")
    for p in stats.top_paragraphs:
        title = f" “{titles[p.document_id]}”" if p.document_id in titles else ""
        lines.append(
            f"  {p.questions:>4} × {p.document_id}{title} {paragraph_span(p.paragraphs)}"
            f"  (helpful {p.helpful}, not helpful {p.not_helpful})"
        )
    lines.append("")
    if not stats.question_text_logged:
        lines.append("Question text is not logged (set insights.log_question_text: true to see what went unanswered).")
    else:
        for heading, items in (
            ("Recent unanswered questions:", stats.recent_unanswered),
            ("Recent “not helpful” answers:", stats.recent_not_helpful),
        ):
            lines.append(heading)
            if not items:
                lines.append("  (none)")
            for item in items:
                where = f" → {item.document_id} {paragraph_span(item.paragraphs)}" if item.paragraphs else ""
                text = " ".join(item.question.split())
                lines.append(f"  {item.asked_at:%Y-%m-%d %H:%M}  {text}{where}")
    return "\n".join(lines)
