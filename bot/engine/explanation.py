"""Why a passage was chosen: the question's terms, what each weighs, which the passage holds,
and the signals and probability of the answer decision.

BM25 is explainable, so the bot explains it. Computed from the question's terms and
a passage's position rather than from a stored Answer: the Discord buttons recompute
the terms from the question their answer shows (nothing is kept in memory), so "Why
this?" and "Next match" keep working after a restart, and after a reload they describe
the index now in service.
The Discord button can carry no probability (a custom id keeps no question text), so
`probability` is given only where the answer is at hand (the CLI, tests); the
word-level signals are recomputed with the functions the answer used (signals.py).

The matching rules are the answering step's (answering.py): a passage "has" a term
when its text, or the speaker named just before an unattributed quote, contains it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from .answering import Match, best_sentence_coverage, build_match
from .calibration import load_models
from .decision import Confidence, confidence_of
from .engine import Engine
from .index import Index
from .scope import Scope, mask
from .signals import GENERIC, coverage, question_weights, term_weight


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
    min_coverage: float  # the extra floor an answer needs (answers.min_coverage; 0 = none)
    score: float | None  # the passage's BM25 score for these terms, when the scorer can tell
    sentence: float = 0.0  # coverage of the passage's best sentence
    matched: float = 0.0  # share of the counted terms the passage holds
    probability: float | None = None  # what the decision gave, when known (carried by the button)
    min_probability: float = 0.5  # what an answer needs (answers.min_probability)
    features: tuple[str, ...] = ()  # what the decision weighs, in order (calibration/parameters.json)

    @property
    def missing_from_story(self) -> tuple[str, ...]:
        return tuple(t.term for t in self.terms if t.passages == 0)

    @property
    def confidence(self) -> Confidence | None:
        return confidence_of(self.probability) if self.probability is not None else None


def match_at(engine: Engine, position: int, terms: Sequence[str], score: float = 0.0) -> Match:
    """The Match the answering step would build for this passage (for paging through matches)."""
    return build_match(engine.index, position, terms, score, engine.config.passages.attribution_context)


def matched_terms(index: Index, position: int, terms: Sequence[str], attribution_context: bool = True) -> tuple[str, ...]:
    return build_match(index, position, terms, 0.0, attribution_context).matched_terms


def explain(
    engine: Engine, terms: Sequence[str], position: int | None, probability: float | None = None, documents: Scope = None
) -> Explanation:
    """Weights and matches of `terms` against the passage at `position` (None: no passage).

    `documents`: the answer's scope; how many passages hold a term is counted inside it, as
    the decision counted (a word only other documents use is one "the story never uses")."""
    index = engine.index
    size = index.scorer.size
    doc_freq = index.scorer.doc_freq
    unique = list(dict.fromkeys(terms))
    within = mask(index, documents)
    held_by = doc_freq if within is None else index.scorer.doc_freq_within(unique, within)
    matched = set(matched_terms(index, position, unique, engine.config.passages.attribution_context)) if position is not None else set()
    rows = []
    for term in unique:
        weight = None if term in GENERIC else term_weight(doc_freq.get(term, 0), size)
        rows.append(TermWeight(term, weight, term in matched, held_by.get(term, 0)))
    weights = question_weights(unique, doc_freq, size)
    share = coverage(weights, matched) if weights else (1.0 if matched else 0.0)
    if position is None:
        share = 0.0 if weights else share
    counted = list(weights)
    matched_share = sum(t in matched for t in counted) / len(counted) if counted else 0.0
    sentence = best_sentence_coverage(index, index.passages[position].text, unique, weights) if position is not None else 0.0
    score = None
    scores = getattr(index.scorer, "scores", None)
    if position is not None and unique and callable(scores):
        try:
            score = float(scores(unique)[position])
        except Exception:  # an explanation without the score is still an explanation
            score = None
    models = load_models()
    return Explanation(
        tuple(rows),
        share,
        engine.config.answers.min_coverage,
        score,
        sentence=sentence,
        matched=matched_share,
        probability=probability,
        min_probability=engine.config.answers.min_probability,
        features=models.with_similarity.features,
    )
