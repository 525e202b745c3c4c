"""Why a passage was chosen: the question's terms, what each weighs, which the passage holds.

BM25 is explainable, so the bot explains it. Computed from the question's terms and
a passage's position rather than from a stored Answer: the Discord buttons recompute
the terms from the question their answer shows (nothing is kept in memory), so "Why
this?" and "Next match" keep working after a restart, and after a reload they describe
the index now in service.

The matching rules are the answering step's (answering.py): a passage "has" a term
when its text, or the speaker named just before an unattributed quote, contains it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from .answering import GENERIC, Match, build_match, term_weight
from .engine import Engine
from .index import Index


@dataclass(frozen=True)
class TermWeight:
    term: str
    weight: float | None  # None: a generic question word ("could", "many") that does not count
    in_passage: bool
    passages: int  # how many passages contain the term; 0 = the story never uses it


@dataclass(frozen=True)
class Explanation:
    terms: tuple[TermWeight, ...]
    coverage: float  # share of the counted weight that the passage holds
    min_coverage: float  # what an answer needs (answers.min_coverage)
    score: float | None  # the passage's BM25 score for these terms, when the scorer can tell

    @property
    def missing_from_story(self) -> tuple[str, ...]:
        return tuple(t.term for t in self.terms if t.passages == 0)


def match_at(engine: Engine, position: int, terms: Sequence[str], score: float = 0.0) -> Match:
    """The Match the answering step would build for this passage (for paging through matches)."""
    return build_match(engine.index, position, terms, score, engine.config.passages.attribution_context)


def matched_terms(index: Index, position: int, terms: Sequence[str], attribution_context: bool = True) -> tuple[str, ...]:
    return build_match(index, position, terms, 0.0, attribution_context).matched_terms


def explain(engine: Engine, terms: Sequence[str], position: int | None) -> Explanation:
    """Weights and matches of `terms` against the passage at `position` (None: no passage)."""
    index = engine.index
    size = index.scorer.size
    doc_freq = index.scorer.doc_freq
    unique = list(dict.fromkeys(terms))
    matched = set(matched_terms(index, position, unique, engine.config.passages.attribution_context)) if position is not None else set()
    rows = []
    for term in unique:
        weight = None if term in GENERIC else term_weight(doc_freq.get(term, 0), size)
        rows.append(TermWeight(term, weight, term in matched, doc_freq.get(term, 0)))
    total = sum(r.weight for r in rows if r.weight is not None)
    held = sum(r.weight for r in rows if r.weight is not None and r.in_passage)
    coverage = held / total if total > 0 else (1.0 if matched else 0.0)
    score = None
    scores = getattr(index.scorer, "scores", None)
    if position is not None and unique and callable(scores):
        try:
            score = float(scores(unique)[position])
        except Exception:  # an explanation without the score is still an explanation
            score = None
    return Explanation(tuple(rows), coverage, engine.config.answers.min_coverage, score)
