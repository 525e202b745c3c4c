"""The records the bot hands the insights log: one question asked, one feedback click.

Plain frozen dataclasses, checked where they are built, so one bad record cannot sink
a background batch. This package knows neither the engine nor Discord.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

SURFACES = ("slash", "dm", "mention", "context_menu", "cli")
# What became of a question: an answer, "the story doesn't say", the asker's cooldown, or a failure.
STATUSES = ("answered", "abstained", "cooldown", "error")


def new_answer_id() -> str:
    """A short random id for one answer: it travels in button custom ids (max 100 chars)."""
    return secrets.token_hex(5)


@dataclass(frozen=True)
class QuestionRecord:
    """What one question did: the one record of it, for the log line, the insights log and
    any other listener of the Discord question desk.

    `paragraphs` is the span of the passage that answered (the one scored and quoted), not
    the wider span of a citation that includes a speaker's paragraph shown as context: the
    feedback on that answer and `--json` name the same paragraphs.
    """

    answer_id: str
    surface: str
    answered: bool
    user_id: int | str | None = None
    question: str | None = None  # dropped by the store unless question text logging is on
    document_id: str | None = None
    paragraphs: tuple[int, int] | None = None
    part: int | None = None
    score: float | None = None
    coverage: float | None = None
    asked_at: float | None = None  # unix time; None = now
    status: str = ""  # one of STATUSES; "" = "answered" or "abstained" from `answered`
    seconds: float = 0.0  # how long the answer took

    def __post_init__(self) -> None:
        # Checked here, in the caller, so one bad record cannot sink a background batch.
        if self.surface not in SURFACES:
            raise ValueError(f"unknown surface {self.surface!r} (known: {', '.join(SURFACES)})")
        if not self.status:
            object.__setattr__(self, "status", "answered" if self.answered else "abstained")
        if self.status not in STATUSES:
            raise ValueError(f"unknown status {self.status!r} (known: {', '.join(STATUSES)})")
        if self.answered != (self.status == "answered"):
            raise ValueError(f"status {self.status!r} contradicts answered={self.answered}")

    @property
    def has_answer(self) -> bool:
        """An answer or an abstention reached the asker: what the insights log keeps (a
        cooldown or an error is only a log line)."""
        return self.status in ("answered", "abstained")

    @classmethod
    def from_answer(
        cls,
        answer: Any,
        surface: str,
        user_id: int | str | None = None,
        answer_id: str | None = None,
        seconds: float = 0.0,
    ) -> "QuestionRecord":
        """Build from an engine Answer (duck-typed: this package does not import the engine)."""
        best = answer.best
        return cls(
            answer_id=answer_id or new_answer_id(),
            surface=surface,
            answered=best is not None,
            user_id=user_id,
            question=answer.question,
            document_id=best.document.id if best else None,
            paragraphs=tuple(best.passage.paragraphs) if best else None,
            part=best.passage.part if best else None,
            score=float(best.score) if best else None,
            coverage=float(answer.coverage),
            seconds=seconds,
        )

    @classmethod
    def failed(
        cls, status: str, surface: str, user_id: int | str | None, question: str, answer_id: str | None = None, seconds: float = 0.0
    ) -> "QuestionRecord":
        """A question that got no answer: the asker's cooldown, or an error."""
        return cls(answer_id or new_answer_id(), surface, False, user_id, question, status=status, seconds=seconds)


@dataclass(frozen=True)
class FeedbackRecord:
    answer_id: str
    helpful: bool
    user_id: int | str | None = None
    match_rank: int = 0
    document_id: str | None = None
    paragraphs: tuple[int, int] | None = None
    given_at: float | None = None


Record = QuestionRecord | FeedbackRecord
