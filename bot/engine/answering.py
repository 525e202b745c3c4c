"""From a question to an Answer: rank, decide whether the story answers, add context.

Abstention rule (see README): BM25 scores are not comparable between corpora or
questions, so the decision uses *coverage*: the share of the question's
information that the best passage contains. Each question term weighs its IDF
(smoothed, always positive; a word the corpus never uses weighs the most), and
the best passage must contain at least `min_coverage` of the total. A question
with no known words has coverage 0; one whose only matches are words found in
most passages has low coverage because its other words weigh more.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from .documents import Document
from .index import Index
from .passages import Passage

# Words that talk about the asking, not the subject ("tell me about the story ...").
# They are dropped from a question that has other words, and never count against coverage.
QUESTION_FILLER = frozenset("tell know explain describ pleas articl stori thing someth anyth".split())

_QUOTED = re.compile(r"“[^”]*(?:”|$)|\"[^\"]*(?:\"|$)")
_NAME = re.compile(r"\b[A-Z][\w'’.-]*")
_NOT_NAMES = frozenset(
    "He She They It We I You The This That These Those His Her Their Its A An And But So Or "
    "In On At For As If When Then Also Even".split()
)
_LEADING_PRONOUN = re.compile(r"^[\"“‘(]*(He|She|They|His|Her|Their|Its|It|This|These|Those|That)\b")


@dataclass(frozen=True)
class Match:
    passage: Passage
    document: Document
    score: float
    position: int  # index of the passage in the Index (stable until the next reload)
    matched_terms: tuple[str, ...]
    # Passages shown before this one so the quote makes sense on its own (e.g. who is speaking).
    context: tuple[Passage, ...] = ()

    @property
    def paragraphs(self) -> tuple[int, int]:
        first = self.context[0].paragraphs[0] if self.context else self.passage.paragraphs[0]
        return (first, self.passage.paragraphs[1])


@dataclass(frozen=True)
class Answer:
    question: str
    terms: tuple[str, ...]
    matches: tuple[Match, ...]
    coverage: float
    abstained: bool
    term_weights: dict[str, float] = field(default_factory=dict)

    @property
    def best(self) -> Match | None:
        return None if self.abstained or not self.matches else self.matches[0]

    def to_json(self) -> dict[str, object]:
        """The `--json` contract: other tools rely on these keys."""
        return {
            "question": self.question,
            "answered": not self.abstained,
            "coverage": round(self.coverage, 4),
            "passages": [
                {
                    "document": m.document.id,
                    "title": m.document.title,
                    "source": m.document.source,
                    "paragraphs": list(m.passage.paragraphs),
                    "text": m.passage.text,
                    "score": m.score,
                    "matched_terms": list(m.matched_terms),
                    "context": [{"paragraphs": list(c.paragraphs), "text": c.text} for c in m.context],
                }
                for m in (self.matches if not self.abstained else ())
            ],
        }


def term_weight(doc_freq: int, size: int) -> float:
    """Smoothed IDF, positive even for terms in every passage (unlike BM25Okapi's)."""
    return math.log(1 + (size - doc_freq + 0.5) / (doc_freq + 0.5))


def needs_attribution(text: str) -> bool:
    """True when a passage quotes someone without naming them, or opens with a pronoun."""
    if _LEADING_PRONOUN.match(text):
        return True
    if "“" not in text and text.count('"') < 2:
        return False
    outside = _QUOTED.sub(" ", text)
    return not any(name not in _NOT_NAMES for name in _NAME.findall(outside))


def answer(index: Index, question: str, top: int, min_coverage: float, attribution_context: bool = True) -> Answer:
    terms = index.analyzer.terms(question)
    if any(t not in QUESTION_FILLER for t in terms):
        terms = [t for t in terms if t not in QUESTION_FILLER]
    hits = index.search(terms, top)
    size = index.scorer.size
    doc_freq = index.scorer.doc_freq
    weights = {
        t: term_weight(doc_freq.get(t, 0), size)
        for t in dict.fromkeys(terms)
    }
    matches = []
    for hit in hits:
        passage = index.passages[hit.passage]
        present = set(index.analyzer.terms(passage.text))
        matched = tuple(t for t in dict.fromkeys(terms) if t in present)
        context: tuple[Passage, ...] = ()
        if attribution_context and needs_attribution(passage.text):
            previous = index.previous(hit.passage)
            if previous is not None:
                context = (index.passages[previous],)
        matches.append(
            Match(passage, index.documents[passage.document_id], hit.score, hit.passage, matched, context)
        )
    total = sum(weights.values())
    coverage = 0.0
    if matches and total > 0:
        coverage = sum(weights.get(t, 0.0) for t in matches[0].matched_terms) / total
    abstained = not matches or coverage < min_coverage
    return Answer(question, tuple(terms), tuple(matches), coverage, abstained, weights)
