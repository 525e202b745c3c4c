"""Evaluation on a questions file (the format of shared/story/dev-questions.yaml).

Kept in the package so `python -m bot eval` and the tests measure the bot itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .engine import Engine
from .presentation import paragraph_span


@dataclass(frozen=True)
class Answerable:
    question: str
    gold: tuple[int, ...]  # paragraphs that answer it (any of them counts)
    document: str | None = None  # the document they are in; needed once the corpus has several


@dataclass(frozen=True)
class Questions:
    answerable: list[Answerable]
    unanswerable: list[tuple[str, str]]  # (question, kind: off_topic / near_miss)


class QuestionsError(ValueError):
    """A questions file that cannot be used; the message names the file and the problem."""


def load_questions(path: Path) -> Questions:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}:" if mark else ""
        raise QuestionsError(f"{path}:{where} not valid YAML ({getattr(exc, 'problem', None) or exc})") from None
    except UnicodeDecodeError as exc:
        raise QuestionsError(f"{path}: not valid UTF-8 (byte {exc.start})") from None
    if not isinstance(data, dict):
        raise QuestionsError(f"{path}: expected a mapping with 'answerable', 'off_topic', 'near_miss'")
    try:
        answerable = [
            Answerable(str(item["q"]), tuple(int(g) for g in item["gold"]), str(item["doc"]) if item.get("doc") else None)
            for item in data.get("answerable") or []
        ]
        unanswerable = [(str(q), kind) for kind in ("off_topic", "near_miss") for q in data.get(kind) or []]
    except (KeyError, TypeError, ValueError, AttributeError):
        raise QuestionsError(
            f"{path}: each 'answerable' item needs q: (the question) and gold: (a list of paragraph numbers), "
            "and may name its doc: (document id); "
            "'off_topic' and 'near_miss' are lists of questions"
        ) from None
    return Questions(answerable, unanswerable)


@dataclass
class Report:
    answerable: int = 0
    ranked_first: int = 0  # best passage is a gold paragraph (whether or not the bot answered)
    answered_correctly: int = 0  # the bot answered, with a gold paragraph
    unanswerable: int = 0
    abstained: int = 0
    misses: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def top1(self) -> float:
        return self.ranked_first / self.answerable if self.answerable else 0.0

    @property
    def answer_accuracy(self) -> float:
        return self.answered_correctly / self.answerable if self.answerable else 0.0

    @property
    def abstention(self) -> float:
        return self.abstained / self.unanswerable if self.unanswerable else 0.0

    def to_json(self) -> dict[str, object]:
        return {
            "answerable": self.answerable,
            "top1": self.top1,
            "answered_correctly": self.answer_accuracy,
            "unanswerable": self.unanswerable,
            "abstention": self.abstention,
            "misses": self.misses,
        }

    def as_text(self) -> str:
        lines = [
            f"answerable: top-1 {self.ranked_first}/{self.answerable} ({self.top1:.0%}), "
            f"answered correctly {self.answered_correctly}/{self.answerable} ({self.answer_accuracy:.0%})",
            f"unanswerable: abstained {self.abstained}/{self.unanswerable} ({self.abstention:.0%})",
        ]
        lines += [f"warning: {w}" for w in self.warnings]
        if self.misses:
            lines.append("misses:")
            lines += [f"  {m}" for m in self.misses]
        return "\n".join(lines)


def evaluate(engine: Engine, questions: Questions) -> Report:
    report = Report()
    several = engine.documents > 1
    for item in questions.answerable:
        question, gold = item.question, item.gold
        report.answerable += 1
        answer = engine.ask(question)
        best = answer.matches[0] if answer.matches else None
        got = best.passage.paragraphs if best else None
        warning = "the corpus has several documents: a question without doc: counts gold paragraphs of any of them"
        if item.document is None and several and warning not in report.warnings:
            report.warnings.append(warning)
        right_document = best is not None and (item.document is None or best.document.id == item.document)
        hit = got is not None and right_document and any(got[0] <= g <= got[1] for g in gold)
        report.ranked_first += hit
        report.answered_correctly += hit and not answer.abstained
        if not hit or answer.abstained:
            what = "abstained" if answer.abstained else "answered"
            report.misses.append(
                f"{question!r}: gold ¶{','.join(map(str, gold))}, best {paragraph_span(got) if got else 'none'} "
                f"({what}, coverage {answer.coverage:.2f})"
            )
    for question, kind in questions.unanswerable:
        report.unanswerable += 1
        answer = engine.ask(question)
        if answer.abstained:
            report.abstained += 1
        else:
            m = answer.matches[0]
            report.misses.append(
                f"{question!r} ({kind}): answered {paragraph_span(m.passage.paragraphs)} of {m.document.id} "
                f"(coverage {answer.coverage:.2f})"
            )
    return report
